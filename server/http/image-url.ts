/** Image URLs, shared by the route (server/http/serve-lesion-image.ts) and the pages. Browser-safe: no imports. */
export const IMAGE_VARIANTS = ["thumbnail", "original", "model"] as const;
export type ImageVariant = (typeof IMAGE_VARIANTS)[number];

export function imageUrl(imageId: string, variant: ImageVariant): string {
  return `/api/images/${encodeURIComponent(imageId)}?variant=${variant}`;
}

export function isImageVariant(value: string): value is ImageVariant {
  return (IMAGE_VARIANTS as readonly string[]).includes(value);
}
