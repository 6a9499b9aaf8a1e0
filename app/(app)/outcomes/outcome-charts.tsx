"use client";

/**
 * The dashboard's charts (recharts). They draw numbers the server computed; each has a tooltip with the exact
 * values and a table beside it on the page (with CSV), so nothing is only readable from a picture.
 */
import type { ReactNode } from "react";
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  LineChart,
  ReferenceDot,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { percent } from "./format";

const INITIAL = { width: 560, height: 300 };
const axisPercent = (value: number) => `${Math.round(100 * value)}%`;

export function ChartFrame(props: { label: string; children: ReactNode; testId: string }) {
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-3" data-testid={props.testId}>
      <div role="img" aria-label={props.label} className="h-[300px] w-full">
        {props.children}
      </div>
    </figure>
  );
}

function TooltipBox({ lines }: { lines: string[] }) {
  return (
    <div className="rounded border border-slate-300 bg-white px-2 py-1 text-xs shadow">
      {lines.map((line) => (
        <p key={line}>{line}</p>
      ))}
    </div>
  );
}

interface RocPointData {
  threshold: number | null;
  fpr: number;
  tpr: number;
}

export function RocChart(props: { points: RocPointData[]; operatingPoint: { fpr: number; tpr: number } | null; auc: number | null; n: number }) {
  return (
    <ChartFrame testId="roc-chart" label={`ROC curve of P(malignant) on ${props.n} biopsied lesions, AUC ${props.auc?.toFixed(3) ?? "undefined"}`}>
      <ResponsiveContainer width="100%" height="100%" initialDimension={INITIAL}>
        <LineChart data={props.points} margin={{ top: 10, right: 20, bottom: 20, left: 10 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="fpr" type="number" domain={[0, 1]} tickFormatter={axisPercent} label={{ value: "False-positive rate (1 − specificity)", position: "insideBottom", offset: -10 }} />
          <YAxis type="number" domain={[0, 1]} tickFormatter={axisPercent} width={72} label={{ value: "Sensitivity", angle: -90, position: "insideLeft" }} />
          <ReferenceLine segment={[{ x: 0, y: 0 }, { x: 1, y: 1 }]} stroke="#94a3b8" strokeDasharray="4 4" ifOverflow="extendDomain" />
          <Tooltip
            content={({ active, payload }) => {
              const point = active ? (payload[0]?.payload as RocPointData | undefined) : undefined;
              if (!point) return null;
              return (
                <TooltipBox
                  lines={[
                    `Threshold ${point.threshold === null ? "above every score" : percent(point.threshold)}`,
                    `Sensitivity ${percent(point.tpr)}`,
                    `False-positive rate ${percent(point.fpr)}`,
                  ]}
                />
              );
            }}
          />
          <Line dataKey="tpr" type="linear" stroke="#0369a1" strokeWidth={2} dot={false} isAnimationActive={false} name="ROC" />
          {props.operatingPoint ? (
            <ReferenceDot
              x={props.operatingPoint.fpr}
              y={props.operatingPoint.tpr}
              r={6}
              fill="#b91c1c"
              stroke="white"
              label={{ value: "operating point", position: "right", fontSize: 12 }}
            />
          ) : null}
        </LineChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}

interface ReliabilityBinData {
  lower: number;
  upper: number;
  count: number;
  meanPredicted: number | null;
  observedFraction: number | null;
}

export function ReliabilityChart(props: { bins: ReliabilityBinData[]; ece: number | null; n: number }) {
  const filled = props.bins.filter((bin) => bin.count > 0);
  return (
    <ChartFrame testId="reliability-chart" label={`Reliability diagram of P(malignant) on ${props.n} biopsied lesions, ECE ${props.ece?.toFixed(3) ?? "undefined"}`}>
      <ResponsiveContainer width="100%" height="100%" initialDimension={INITIAL}>
        <ComposedChart data={filled} margin={{ top: 10, right: 20, bottom: 20, left: 10 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="meanPredicted" type="number" domain={[0, 1]} tickFormatter={axisPercent} label={{ value: "Mean P(malignant) in the bin", position: "insideBottom", offset: -10 }} />
          <YAxis type="number" domain={[0, 1]} tickFormatter={axisPercent} width={72} label={{ value: "Observed rate", angle: -90, position: "insideLeft" }} />
          <ReferenceLine segment={[{ x: 0, y: 0 }, { x: 1, y: 1 }]} stroke="#94a3b8" strokeDasharray="4 4" ifOverflow="extendDomain" />
          <Tooltip
            content={({ active, payload }) => {
              const bin = active ? (payload[0]?.payload as ReliabilityBinData | undefined) : undefined;
              if (!bin) return null;
              return (
                <TooltipBox
                  lines={[
                    `Bin ${percent(bin.lower)}–${percent(bin.upper)}: ${bin.count} lesions`,
                    `Mean P(malignant) ${percent(bin.meanPredicted)}`,
                    `Observed malignant ${percent(bin.observedFraction)}`,
                  ]}
                />
              );
            }}
          />
          <Line dataKey="observedFraction" type="linear" stroke="#0369a1" strokeWidth={2} isAnimationActive={false} name="Observed" />
          <Scatter dataKey="observedFraction" fill="#0369a1" isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}

interface TrendData {
  month: string;
  biopsies: number;
  benignAvoidable: number;
  malignantMissed: number;
  deferrals: number;
}

export function TrendChart(props: { months: TrendData[]; withModel: boolean }) {
  return (
    <ChartFrame testId="trend-chart" label={`Biopsies${props.withModel ? ", avoidable benign biopsies, missed malignancies and deferrals" : ""} by month, ${props.months.length} months`}>
      <ResponsiveContainer width="100%" height="100%" initialDimension={INITIAL}>
        <ComposedChart data={props.months} margin={{ top: 10, right: 20, bottom: 10, left: 10 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="month" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Legend />
          <Bar dataKey="biopsies" name="Biopsies" fill="#94a3b8" isAnimationActive={false} />
          {props.withModel ? <Bar dataKey="benignAvoidable" name="Benign biopsies avoidable" fill="#059669" isAnimationActive={false} /> : null}
          {props.withModel ? <Line dataKey="malignantMissed" name="Missed malignancies" stroke="#b91c1c" strokeWidth={2} isAnimationActive={false} /> : null}
          {props.withModel ? <Line dataKey="deferrals" name="Deferrals" stroke="#d97706" strokeWidth={2} isAnimationActive={false} /> : null}
        </ComposedChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}
