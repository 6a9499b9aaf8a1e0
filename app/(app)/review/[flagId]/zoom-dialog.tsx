"use client";

/* eslint-disable @next/next/no-img-element -- images come from the session-checked image route; next/image would
   fetch them again server-side, without the user's session. */
import { useEffect, useId, useRef, useState } from "react";
import { imageUrl } from "@/server/http/image-url";
import type { ReviewImageView } from "./review-types";

const MIN_ZOOM = 1;
const MAX_ZOOM = 4;
const STEP = 0.5;

/**
 * The full-resolution original in a modal dialog, zoomable to 400% and scrollable. Escape closes it (native
 * <dialog>), and the page's shortcuts stay off while it is open.
 */
export function ZoomDialog({ image, onClose }: { image: ReviewImageView | null; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [zoom, setZoom] = useState(MIN_ZOOM);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (image && !dialog.open) dialog.showModal();
    if (!image && dialog.open) dialog.close();
  }, [image]);

  const change = (delta: number) => setZoom((current) => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, current + delta)));
  const controlClass = "rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 disabled:opacity-50";

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={() => {
        setZoom(MIN_ZOOM);
        onClose();
      }}
      className="m-auto w-[min(96vw,1400px)] max-w-none rounded-xl p-0 backdrop:bg-slate-900/70"
    >
      {image ? (
        <div className="flex max-h-[94vh] flex-col">
          <div className="flex flex-wrap items-center gap-3 border-b border-slate-200 px-4 py-2">
            <h2 id={titleId} className="mr-auto font-semibold">
              Image {image.position}, full resolution ({image.width}×{image.height} px)
            </h2>
            <button type="button" className={controlClass} onClick={() => change(-STEP)} disabled={zoom <= MIN_ZOOM}>
              Zoom out
            </button>
            <label className="flex items-center gap-2 text-sm">
              Zoom <span className="sr-only">(100% fits the whole image)</span>
              <input type="range" min={MIN_ZOOM} max={MAX_ZOOM} step={0.25} value={zoom} onChange={(event) => setZoom(Number(event.target.value))} />
            </label>
            <output className="w-12 text-sm tabular-nums" aria-live="polite">
              {Math.round(zoom * 100)}%
            </output>
            <button type="button" className={controlClass} onClick={() => change(STEP)} disabled={zoom >= MAX_ZOOM}>
              Zoom in
            </button>
            <button type="button" className={controlClass} onClick={() => ref.current?.close()} autoFocus>
              Close
            </button>
          </div>
          <div className="min-h-0 flex-1 overflow-auto bg-slate-900" data-testid="zoom-viewport">
            {/* 100% = the whole image fits the dialog (width, or 82% of the window's height); zoom multiplies that. */}
            <img
              src={imageUrl(image.id, "original")}
              alt={`Image ${image.position} at full resolution, zoom ${Math.round(zoom * 100)}%`}
              style={{ width: `calc(${zoom} * min(100%, ${((82 * image.width) / image.height).toFixed(2)}vh))` }}
              className="mx-auto block h-auto max-w-none"
            />
          </div>
        </div>
      ) : null}
    </dialog>
  );
}
