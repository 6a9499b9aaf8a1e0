"use client";

/* eslint-disable @next/next/no-img-element -- images come from the session-checked image route; next/image would
   fetch them again server-side, without the user's session. */
import { useState } from "react";
import { imageUrl } from "@/server/http/image-url";
import { formatPercent } from "../../_review/probability";
import { ExplanationMap } from "./explanation-map";
import type { ReviewImageView } from "./review-types";
import { ZoomDialog } from "./zoom-dialog";

/**
 * The lesion's images: the chosen one large (click for full resolution and zoom) beside its explanation map, and
 * every image of the lesion as a strip in capture order, so the reviewer can look back at earlier ones.
 */
export function ImageViewer({ flagId, images, initialImageId }: { flagId: string; images: ReviewImageView[]; initialImageId: string }) {
  const [selectedId, setSelectedId] = useState(initialImageId);
  const [zoomed, setZoomed] = useState<ReviewImageView | null>(null);
  const selected = images.find((image) => image.id === selectedId) ?? images[0];
  if (!selected) return null;

  return (
    <div>
      <div className="grid gap-4 md:grid-cols-2">
        <figure>
          <h3 className="mb-2 font-semibold">
            Image {selected.position} <span className="text-sm font-normal text-slate-500">of {images.length}</span>
          </h3>
          <button
            type="button"
            onClick={() => setZoomed(selected)}
            className="group relative block w-full overflow-hidden rounded-lg bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-700"
          >
            <img
              src={imageUrl(selected.id, "original")}
              alt={`Image ${selected.position}: ${selected.caption}`}
              width={selected.width}
              height={selected.height}
              className="h-auto w-full"
            />
            <span className="absolute bottom-2 right-2 rounded bg-slate-900/75 px-2 py-1 text-xs text-white group-hover:bg-slate-900">
              Open full resolution and zoom
            </span>
          </button>
          <figcaption className="mt-1 text-xs text-slate-600">
            {selected.caption} · {selected.width}×{selected.height} px
            {selected.pMalignant !== null ? ` · P(malignant) ${formatPercent(selected.pMalignant)}` : " · not scored by this flag's model"}
            {selected.qualityProblems.length > 0 ? (
              <span className="block font-medium text-amber-800">Image quality check failed: {selected.qualityProblems.join("; ")}</span>
            ) : null}
          </figcaption>
        </figure>
        <ExplanationMap
          key={selected.id}
          flagId={flagId}
          imageId={selected.id}
          imagePosition={selected.position}
          imageWidth={selected.width}
          imageHeight={selected.height}
        />
      </div>

      {images.length > 1 ? (
        <ol className="mt-4 flex gap-3 overflow-x-auto pb-2" aria-label="All images of this lesion, oldest first" data-testid="image-strip">
          {images.map((image) => {
            const current = image.id === selected.id;
            return (
              <li key={image.id} className="w-28 shrink-0">
                <button
                  type="button"
                  aria-pressed={current}
                  onClick={() => setSelectedId(image.id)}
                  className={`block w-full overflow-hidden rounded-md border-2 ${current ? "border-sky-600" : "border-transparent hover:border-slate-300"}`}
                >
                  <img src={imageUrl(image.id, "thumbnail")} alt={`Show image ${image.position}: ${image.caption}`} className="h-20 w-full bg-slate-100 object-cover" />
                </button>
                <p className="mt-1 text-xs text-slate-600">
                  #{image.position} · {formatPercent(image.pMalignant)}
                </p>
              </li>
            );
          })}
        </ol>
      ) : null}
      <ZoomDialog image={zoomed} onClose={() => setZoomed(null)} />
    </div>
  );
}
