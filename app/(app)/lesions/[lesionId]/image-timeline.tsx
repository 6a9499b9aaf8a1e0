"use client";

/* eslint-disable @next/next/no-img-element -- images come from the session-checked image route; next/image would
   fetch them again server-side, without the user's session. */
import { useState } from "react";
import { imageUrl } from "@/server/http/image-url";
import { formatDate, formatDateTime } from "../../_clinical/format";

export interface TimelineImage {
  id: string;
  width: number;
  height: number;
  /** ISO date-time, or null when the file carried none. */
  capturedAt: string | null;
  uploadedAt: string;
}

function caption(image: TimelineImage): string {
  return image.capturedAt ? `Captured ${formatDateTime(image.capturedAt)}` : `Capture date unknown, uploaded ${formatDate(image.uploadedAt)}`;
}

/**
 * The lesion's images in capture order. Each thumbnail opens the full-size original; ticking two images shows them
 * side by side (the last two ticked), to compare a lesion over time.
 */
export function ImageTimeline({ images }: { images: TimelineImage[] }) {
  const [selected, setSelected] = useState<string[]>([]);
  const position = new Map(images.map((image, i) => [image.id, i + 1]));
  const compared = selected.map((id) => images.find((image) => image.id === id)).filter((image) => image !== undefined);

  function toggle(id: string, checked: boolean) {
    setSelected((current) => (checked ? [...current.filter((x) => x !== id), id].slice(-2) : current.filter((x) => x !== id)));
  }

  return (
    <div>
      <ol className="flex gap-4 overflow-x-auto pb-2" aria-label="Images in capture order" data-testid="image-timeline">
        {images.map((image, i) => (
          <li key={image.id} className="w-48 shrink-0 rounded-lg border border-slate-200 bg-white p-2">
            <a
              href={imageUrl(image.id, "original")}
              target="_blank"
              rel="noopener"
              className="block focus-visible:outline-2 focus-visible:outline-sky-700"
              title="Open full size"
            >
              <img
                src={imageUrl(image.id, "thumbnail")}
                alt={`Image ${i + 1}: ${caption(image)}`}
                width={176}
                height={Math.round((176 * image.height) / image.width)}
                className="h-auto w-full rounded bg-slate-100"
              />
            </a>
            <p className="mt-1 text-xs text-slate-700">
              <span className="font-medium">#{i + 1}</span> {caption(image)}
            </p>
            <p className="text-xs text-slate-500">
              {image.width}×{image.height} px ·{" "}
              <a href={imageUrl(image.id, "model")} target="_blank" rel="noopener" className="text-sky-700 underline">
                model view
              </a>
            </p>
            <label className="mt-1 flex items-center gap-2 text-xs">
              <input type="checkbox" checked={selected.includes(image.id)} onChange={(event) => toggle(image.id, event.target.checked)} />
              Compare image {i + 1}
            </label>
          </li>
        ))}
      </ol>

      {images.length >= 2 ? (
        <section aria-label="Side by side" className="mt-4">
          {compared.length === 2 ? (
            <>
              <div className="mb-2 flex items-center justify-between">
                <h3 className="font-semibold">
                  Side by side: image {position.get(compared[0]!.id)} and image {position.get(compared[1]!.id)}
                </h3>
                <button type="button" onClick={() => setSelected([])} className="rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100">
                  Close comparison
                </button>
              </div>
              <div className="grid grid-cols-2 gap-4" data-testid="comparison">
                {[...compared]
                  .sort((a, b) => position.get(a.id)! - position.get(b.id)!)
                  .map((image) => (
                    <figure key={image.id} className="rounded-lg border border-slate-200 bg-white p-2">
                      <img src={imageUrl(image.id, "original")} alt={`Image ${position.get(image.id)}, full size`} className="h-auto w-full" />
                      <figcaption className="mt-1 text-sm text-slate-700">
                        #{position.get(image.id)} {caption(image)}
                      </figcaption>
                    </figure>
                  ))}
              </div>
            </>
          ) : (
            <p className="text-sm text-slate-600">Tick “Compare” on two images to see them side by side.</p>
          )}
        </section>
      ) : null}
    </div>
  );
}
