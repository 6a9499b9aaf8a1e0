"use client";

/* eslint-disable @next/next/no-img-element -- images come from the session-checked image route; next/image would
   fetch them again server-side, without the user's session. */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { imageUrl } from "@/server/http/image-url";
import { useTRPC } from "../../../_trpc/provider";
import { formatPercent } from "../../_review/probability";
import { HEAT_BLUE, HEAT_RED, heatPixels } from "./heat-colours";

const rgb = (colour: readonly number[]) => `rgb(${colour.join(" ")})`;

/**
 * Occlusion sensitivity of the chosen image under the flag's model (server/services/review/explain-image.ts), drawn
 * over what the model saw: the centre square crop ("model view") or the whole image squashed to a square, as the
 * model's preprocessing framed it, so the overlay lines up with the pixels it describes.
 */
export function ExplanationMap({ flagId, imageId, imagePosition }: { flagId: string; imageId: string; imagePosition: number }) {
  const trpc = useTRPC();
  const explanation = useQuery(trpc.review.explanation.queryOptions({ flagId, imageId }, { staleTime: Infinity, retry: false }));
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [overlay, setOverlay] = useState(true);
  const data = explanation.data;

  useEffect(() => {
    const canvas = canvasRef.current;
    const context = canvas?.getContext("2d");
    if (!canvas || !context || data?.status !== "ready") return;
    context.putImageData(new ImageData(heatPixels(data.drops, data.maxAbsDrop), data.cells, data.cells), 0, 0);
  }, [data, overlay]);

  return (
    <section aria-labelledby="explanation-heading" data-testid="explanation">
      <h3 id="explanation-heading" className="mb-2 font-semibold">
        Explanation map <span className="text-sm font-normal text-slate-500">(image {imagePosition})</span>
      </h3>
      {explanation.isPending ? (
        <p role="status" className="flex aspect-square items-center justify-center rounded-lg bg-slate-100 p-4 text-sm text-slate-600">
          Computing the explanation map: the model scores the image about 200 times with one area covered each time…
        </p>
      ) : explanation.isError ? (
        <p className="rounded-lg border border-slate-200 bg-slate-50 p-4 text-sm text-slate-700" data-testid="explanation-unavailable">
          Explanation unavailable: {explanation.error.message}
        </p>
      ) : data?.status === "unavailable" ? (
        <p className="rounded-lg border border-slate-200 bg-slate-50 p-4 text-sm text-slate-700" data-testid="explanation-unavailable">
          Explanation unavailable. {data.reason}
        </p>
      ) : data ? (
        <figure>
          <div className="relative aspect-square w-full overflow-hidden rounded-lg bg-slate-900">
            <img
              src={data.fit === "cover" ? imageUrl(data.imageId, "model") : imageUrl(data.imageId, "original")}
              alt={`What the model saw of image ${imagePosition}${data.fit === "cover" ? " (centre square)" : " (whole image squashed to a square)"}`}
              className="absolute inset-0 h-full w-full object-fill"
            />
            {overlay ? (
              <canvas
                ref={canvasRef}
                width={data.cells}
                height={data.cells}
                aria-hidden="true"
                data-testid="explanation-overlay"
                className="absolute inset-0 h-full w-full"
              />
            ) : null}
          </div>
          <figcaption className="mt-2 space-y-2 text-xs text-slate-700">
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={overlay} onChange={(event) => setOverlay(event.target.checked)} />
              Show the overlay
            </label>
            <div aria-hidden="true" className="flex items-center gap-2">
              <span>Covering raises P(malignant)</span>
              <span
                className="h-2 flex-1 rounded-full"
                style={{ background: `linear-gradient(to right, ${rgb(HEAT_BLUE)}, transparent 50%, ${rgb(HEAT_RED)})` }}
              />
              <span>Covering lowers P(malignant)</span>
            </div>
            <p>
              Occlusion sensitivity: each area ({data.patch}×{data.patch} of the model&apos;s {data.inputSize}×{data.inputSize} px input) was
              covered in turn with the training images&apos; average colour and the image scored again. <strong className="text-red-700">Red</strong>:
              covering the area lowered P(malignant), so the score relies on it. <strong className="text-blue-700">Blue</strong>: covering it
              raised P(malignant). The largest change was {(100 * data.maxAbsDrop).toFixed(1)} percentage points, from P(malignant){" "}
              {formatPercent(data.baseline)}.
            </p>
            <p className="text-slate-500">
              An approximation: it shows where the score is sensitive, not why, and depends on the patch size. It is not a
              segmentation or a diagnosis. Model {data.modelVersion} on {data.backend}, {data.computeMs} ms.
            </p>
          </figcaption>
        </figure>
      ) : null}
    </section>
  );
}
