/** The image ingest pipeline: validation, metadata stripping, derivatives, content-addressed storage. */
export { isImageRejectedError, type ImageRejectionCode } from "./image-rejected-error";
export { DEFAULT_IMAGE_LIMITS, imageLimitsFromEnv } from "./image-limits";
export { ImageBlobNotFoundError, type ImageStore } from "./image-store";
export { LocalImageStore } from "./local-image-store";
export { imageBlobKeys, modelViewKey, thumbnailKey } from "./storage-keys";
export { prepareImage } from "./prepare-image";
export { DECODE_RETRY_AFTER_SECONDS, DecodeBusyError, DecodeLimiter, uploadDecodeLimiter, type DecodeTicket } from "./decode-limiter";
export { ingestImage, LesionNotFoundError } from "./ingest-image";
export { createImageStoreFromEnv } from "./create-image-store";
