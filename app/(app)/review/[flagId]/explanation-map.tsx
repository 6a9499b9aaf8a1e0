"use client";

/* eslint-disable @next/next/no-img-element -- images come from the session-checked image route; next/image would
   fetch them again server-side, without the user's session. */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { imageUrl } from "@/server/http/image-url";
import { errorText } from "../../../_trpc/error-text";
import { useTRPC } from "../../../_trpc/provider";
import { formatPercent } from "../../_review/probability";
import { heatLegendGradient, heatPixels } from "./heat-colours";
import { modelInputBox } from "./model-input-box";

/**
 * Occlusion sensitivity of the chosen image under the flag's model (server/services/review/explain-image.ts), drawn
 * over the image at its own proportions: the overlay covers the part the model saw (the centre square, the rest
 * dimmed, or the whole image), as the model's preprocessing framed it, so it lines up with the pixels it describes.
 */
export function ExplanationMap({
  flagId,
  imageId,
  imagePosition,
  imageWidth,
  imageHeight,
}: {
  flagId: string;
  imageId: string;
  imagePosition: number;
  imageWidth: number;
  imageHeight: number;
}) {
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
        <p role="status" className="flex aspect-[4/3] items-center justify-center rounded-lg bg-slate-100 p-4 text-sm text-slate-600">
          Computing the explanation map: the model scores the image about 200 times with one area covered each time…
        </p>
      ) : explanation.isError ? (
        <p className="rounded-lg border border-slate-200 bg-slate-50 p-4 text-sm text-slate-700" data-testid="explanation-unavailable">
          Explanation unavailable: {errorText(explanation.error)}
        </p>
      ) : data?.status === "unavailable" ? (
        <p className="rounded-lg border border-slate-200 bg-slate-50 p-4 text-sm text-slate-700" data-testid="explanation-unavailable">
          Explanation unavailable. {data.reason}
        </p>
      ) : data ? (
        <figure>
          <div className="relative w-full overflow-hidden rounded-lg bg-slate-900">
            <img
              src={imageUrl(data.imageId, "original")}
              alt={`Image ${imagePosition}, with the part the model saw${data.fit === "cover" ? " (its centre square)" : " (all of it, squashed to a square)"}`}
              width={imageWidth}
              height={imageHeight}
              className="block h-auto w-full"
              data-testid="explanation-image"
            />
            <div
              className="absolute shadow-[0_0_0_9999px_rgb(15_23_42/0.45)] outline outline-1 outline-white/70"
              style={modelInputBox(data.fit, imageWidth, imageHeight)}
              data-testid="explanation-model-input"
            >
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
          </div>
          <figcaption className="mt-2 space-y-2 text-xs text-slate-700">
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={overlay} onChange={(event) => setOverlay(event.target.checked)} />
              Show the overlay
            </label>
            {/* The ramp on its own line: between the two labels in a narrow column it was squeezed to nothing. */}
            <div aria-hidden="true">
              <div
                className="h-3 w-full rounded-full border border-slate-300"
                style={{ backgroundImage: heatLegendGradient() }}
                data-testid="explanation-legend-ramp"
              />
              <div className="mt-1 flex justify-between gap-4">
                <span>Covering raises P(malignant)</span>
                <span className="text-right">Covering lowers P(malignant)</span>
              </div>
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
