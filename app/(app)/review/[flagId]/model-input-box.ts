const percent = (part: number, whole: number) => `${(100 * part) / whole}%`;

/**
 * Where the model's square input lies on an image of `width` x `height`, as CSS percentages of the image's box: its
 * centre square ("cover", as prepare-image.ts and the model's preprocessing crop it), or the whole image ("fill",
 * squashed to a square by the model, so each cell of the explanation map covers a rectangle of the image).
 */
export function modelInputBox(fit: "cover" | "fill", width: number, height: number) {
  if (fit === "fill") return { left: "0%", top: "0%", width: "100%", height: "100%" };
  const side = Math.min(width, height);
  return { left: percent((width - side) / 2, width), top: percent((height - side) / 2, height), width: percent(side, width), height: percent(side, height) };
}
