/**
 * The pixels a model sees for a stored image, produced by the ml module's own decoder (ml/data/decode.ts), the same
 * function training uses on data-set files, so uploads are cropped, resized and colour-converted exactly like the
 * training images. Always from the stored original, whatever the model's input size.
 *
 * One known difference remains, and it is on the training side: given a JPEG file, libvips shrinks while decoding
 * (DCT-domain "shrink-on-load") when the target is at least 2x smaller, so decodeToRgb(jpegFile, 28) differs from
 * decodeToRgb(png of the same pixels, 28) by a mean of ~3 grey levels (single values up to ~30) on 600x450 HAM10000 images, ~0.8 on
 * 180 px ISIC images; at 224 px it is 0. The stored original is PNG, so inference never takes that path. Decoding
 * fully before resizing in ml/data/decode.ts would make training and inference identical.
 */
import { decodeToRgb } from "@/ml/data/decode";
import type { ImageStore } from "./image-store";

/** `size * size * 3` bytes, RGB interleaved, row-major. */
export async function modelInputPixels(store: ImageStore, storageKey: string, size: number): Promise<Uint8Array> {
  return decodeToRgb(await store.get(storageKey), size);
}
