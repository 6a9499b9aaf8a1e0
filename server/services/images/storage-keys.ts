/**
 * Where an image's blobs live in the store, derived from its content hash alone: the schema keeps one storageKey per
 * image (the original) and every derivative is found from the hash, so no extra columns are needed. Two levels of
 * two-hex-digit folders keep any one directory small (65,536 folders for millions of images).
 */
const SHA256_HEX = /^[0-9a-f]{64}$/;

function prefix(contentHash: string): string {
  if (!SHA256_HEX.test(contentHash)) throw new RangeError(`not a SHA-256 hex digest: ${JSON.stringify(contentHash)}`);
  return `${contentHash.slice(0, 2)}/${contentHash.slice(2, 4)}/${contentHash}`;
}

/** The stored, metadata-free original (lossless PNG). */
export function originalKey(contentHash: string): string {
  return `${prefix(contentHash)}.png`;
}

/** Thumbnail for lists and queues (JPEG, longest side THUMBNAIL_SIZE). */
export function thumbnailKey(contentHash: string): string {
  return `${prefix(contentHash)}.thumb.jpg`;
}

/** Square, centre-cropped view in the ml module's preprocessing: what the model looks at (lossless PNG). */
export function modelViewKey(contentHash: string): string {
  return `${prefix(contentHash)}.model.png`;
}

export function imageBlobKeys(contentHash: string): { original: string; thumbnail: string; modelView: string } {
  return { original: originalKey(contentHash), thumbnail: thumbnailKey(contentHash), modelView: modelViewKey(contentHash) };
}
