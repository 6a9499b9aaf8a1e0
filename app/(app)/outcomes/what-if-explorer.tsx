"use client";

/**
 * The retrospective operating-point explorer: a slider over the thresholds the server precomputed (every distinct
 * score of the biopsied lesions), so moving it only looks a point up. The current operating point is marked on the
 * chart and one click away on the slider.
 */
import { useState } from "react";
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { WhatIfPointRow } from "@/server/services/outcomes/schemas";
import { DataTable } from "./data-table";
import { decimal, fraction, money, percent, proportionWithInterval } from "./format";
import { ChartFrame } from "./outcome-charts";
import type { TableSpec } from "./table-spec";

export interface WhatIfExplorerProps {
  points: WhatIfPointRow[];
  currentThreshold: number;
  cases: number;
  benign: number;
  malignant: number;
  costPerBiopsy: number;
  table: TableSpec;
  fileParts: string[];
}

export function WhatIfExplorer(props: WhatIfExplorerProps) {
  const currentIndex = Math.max(0, props.points.findIndex((point) => point.threshold === props.currentThreshold));
  const [index, setIndex] = useState(currentIndex);
  const selected = props.points[index] ?? props.points[currentIndex]!;
  const atCurrent = selected.threshold === props.currentThreshold;

  return (
    <div data-testid="what-if">
      <div className="grid gap-4 lg:grid-cols-2">
        <div className="rounded-lg border border-slate-200 bg-white p-4">
          <label className="block text-sm font-medium text-slate-700" htmlFor="what-if-threshold">
            Threshold on P(malignant): lesions below it are deferred
          </label>
          <input
            id="what-if-threshold"
            type="range"
            min={0}
            max={props.points.length - 1}
            step={1}
            value={index}
            onChange={(event) => setIndex(Number(event.target.value))}
            aria-valuetext={`threshold ${decimal(selected.threshold, 3)}`}
            className="mt-2 w-full accent-sky-700"
          />
          <p className="mt-1 flex flex-wrap items-center gap-3 text-sm">
            <output htmlFor="what-if-threshold" data-testid="what-if-threshold" className="font-mono text-base font-semibold">
              {decimal(selected.threshold, 3)}
            </output>
            {atCurrent ? (
              <span className="rounded bg-sky-100 px-2 py-0.5 text-xs font-medium text-sky-900">current operating point</span>
            ) : (
              <button type="button" onClick={() => setIndex(currentIndex)} className="text-xs text-sky-800 underline">
                Back to the current operating point ({decimal(props.currentThreshold, 3)})
              </button>
            )}
          </p>
          <dl className="mt-4 grid grid-cols-1 gap-3 text-sm sm:grid-cols-2" data-testid="what-if-readout">
            <div>
              <dt className="text-slate-600">Benign biopsies avoided</dt>
              <dd className="text-lg font-semibold tabular-nums text-emerald-800" data-testid="what-if-avoided">
                {fraction(selected.avoidableRate)}
              </dd>
              <dd className="text-xs text-slate-600">{proportionWithInterval(selected.avoidableRate)}</dd>
            </div>
            <div>
              <dt className="text-slate-600">Malignancies missed</dt>
              <dd className="text-lg font-semibold tabular-nums text-red-800" data-testid="what-if-missed">
                {fraction(selected.missedRate)}
              </dd>
              <dd className="text-xs text-slate-600">{proportionWithInterval(selected.missedRate)}</dd>
            </div>
            <div>
              <dt className="text-slate-600">Number needed to biopsy after deferral</dt>
              <dd className="tabular-nums">{decimal(selected.numberNeededToBiopsyIfDeferred)}</dd>
            </div>
            <div>
              <dt className="text-slate-600">Estimated saving (estimate, {money(props.costPerBiopsy)} per biopsy)</dt>
              <dd className="tabular-nums">{money(selected.benignAvoided * props.costPerBiopsy)}</dd>
            </div>
          </dl>
          <p className="mt-3 text-xs text-slate-500">
            {props.cases} biopsied lesions scored by this model ({props.benign} benign, {props.malignant} malignant), each scored by its
            most suspicious image. Retrospective: these lesions were biopsied; the figures say what deferral at this threshold would have
            meant for them.
          </p>
        </div>
        <ChartFrame
          testId="what-if-chart"
          label={`Benign biopsies avoided and malignancies missed at each threshold; current threshold ${decimal(props.currentThreshold, 3)}, selected ${decimal(selected.threshold, 3)}`}
        >
          <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 560, height: 300 }}>
            <LineChart data={props.points} margin={{ top: 16, right: 10, bottom: 20, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="threshold" type="number" domain={[0, 1]} label={{ value: "Threshold", position: "insideBottom", offset: -10 }} />
              <YAxis yAxisId="benign" allowDecimals={false} stroke="#047857" />
              <YAxis yAxisId="missed" orientation="right" allowDecimals={false} stroke="#b91c1c" />
              <Tooltip
                content={({ active, payload }) => {
                  const point = active ? (payload[0]?.payload as WhatIfPointRow | undefined) : undefined;
                  if (!point) return null;
                  return (
                    <div className="rounded border border-slate-300 bg-white px-2 py-1 text-xs shadow">
                      <p>Threshold {decimal(point.threshold, 3)}</p>
                      <p>Benign avoided {fraction(point.avoidableRate)} ({percent(point.avoidableRate.estimate)})</p>
                      <p>Missed {fraction(point.missedRate)} ({percent(point.missedRate.estimate)})</p>
                    </div>
                  );
                }}
              />
              <Legend verticalAlign="top" height={28} />
              <Line yAxisId="benign" dataKey="benignAvoided" name="Benign biopsies avoided" type="stepBefore" stroke="#047857" strokeWidth={2} dot={false} isAnimationActive={false} />
              <Line yAxisId="missed" dataKey="malignantMissed" name="Malignancies missed" type="stepBefore" stroke="#b91c1c" strokeWidth={2} dot={false} isAnimationActive={false} />
              <ReferenceLine yAxisId="benign" x={props.currentThreshold} stroke="#0c4a6e" strokeDasharray="5 3" label={{ value: "current", position: "insideTopLeft", fontSize: 12 }} />
              {atCurrent ? null : <ReferenceLine yAxisId="benign" x={selected.threshold} stroke="#64748b" label={{ value: "selected", position: "insideTopRight", fontSize: 12 }} />}
            </LineChart>
          </ResponsiveContainer>
        </ChartFrame>
      </div>
      <details className="mt-2">
        <summary className="cursor-pointer text-sm text-sky-800">Every threshold as a table</summary>
        <DataTable spec={props.table} fileParts={props.fileParts} />
      </details>
    </div>
  );
}
