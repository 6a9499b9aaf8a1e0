/** The image ingest pipeline: validation, metadata stripping, derivatives, content-addressed storage. */
export { ImageRejectedError, IMAGE_REJECTION_CODES, isImageRejectedError, type ImageRejectionCode } from "./image-rejected-error";
export { DEFAULT_IMAGE_LIMITS, imageLimitsFromEnv, type ImageLimits } from "./image-limits";
export { ImageBlobNotFoundError, type ImageStore } from "./image-store";
export { LocalImageStore } from "./local-image-store";
export { imageBlobKeys, modelViewKey, originalKey, thumbnailKey } from "./storage-keys";
export { MODEL_VIEW_SIZE, prepareImage, sourceHashOf, STORED_MIME_TYPE, THUMBNAIL_SIZE, type PreparedImage } from "./prepare-image";
export { DECODE_RETRY_AFTER_SECONDS, DecodeBusyError, DecodeLimiter, DEFAULT_DECODE_LIMITS, uploadDecodeLimiter, type DecodeLimits, type DecodeTicket } from "./decode-limiter";
export { ingestImage, LesionNotFoundError, type IngestImageOptions, type IngestImageResult } from "./ingest-image";
export { modelInputPixels } from "./model-input";
export type { StoredLesionImage } from "./persist-image";
export { createImageStoreFromEnv } from "./create-image-store";
