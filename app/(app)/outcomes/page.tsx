import type { Metadata } from "next";
import type { ReactNode } from "react";
import { requirePermission } from "@/server/auth/guards";
import { can } from "@/server/auth/roles";
import type { ModelOutcomes } from "@/server/services/outcomes/schemas";
import { serverApi } from "@/server/trpc/server";
import { EmptyState, PageHeader } from "../../_components/empty-state";
import { orNotFound } from "../_clinical/or-not-found";
import { DashboardFilters } from "./dashboard-filters";
import {
  activityTable,
  calibrationTable,
  comparisonTable,
  confusionTable,
  keyFiguresTable,
  rocTable,
  SUBGROUP_TITLES,
  subgroupTable,
  trendsTable,
  whatIfTable,
} from "./dashboard-tables";
import { DataTable } from "./data-table";
import { Definitions } from "./definitions";
import { decimal, fraction, money, percent, proportionWithInterval, wholeNumber } from "./format";
import { ReliabilityChart, RocChart, TrendChart } from "./outcome-charts";
import { parseOutcomesSearch, type SearchParams } from "./outcomes-search";
import { SafetyPanel } from "./safety-panel";
import { WhatIfExplorer } from "./what-if-explorer";
import { SafetyEventsPanel } from "../_safety/safety-events-panel";

export const metadata: Metadata = { title: "Outcomes" };

function Card(props: { label: string; value: string; detail: string; testId: string }) {
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-4" data-testid={props.testId}>
      <p className="text-sm text-slate-600">{props.label}</p>
      <p className="mt-1 text-2xl font-semibold tabular-nums">{props.value}</p>
      <p className="mt-1 text-xs text-slate-500">{props.detail}</p>
    </div>
  );
}

function Section(props: { id: string; title: string; children: ReactNode; intro?: string }) {
  return (
    <section aria-labelledby={`${props.id}-heading`} className="mt-10">
      <h2 id={`${props.id}-heading`} className="text-lg font-semibold">
        {props.title}
      </h2>
      {props.intro ? <p className="mt-1 max-w-prose text-sm text-slate-600">{props.intro}</p> : null}
      {props.children}
    </section>
  );
}

export default async function OutcomesPage(props: { searchParams: Promise<SearchParams> }) {
  const user = await requirePermission("outcomes:read");
  const search = parseOutcomesSearch(await props.searchParams);
  const api = await serverApi();
  const [dashboard, safetyEvents] = await Promise.all([orNotFound(api.outcomes.dashboard(search.query)), can(user.role, "clinical:read") ? api.safety.events() : []]);
  const { model, modelOutcomes: figures, outcomes, scope } = dashboard;
  const fileParts = [model?.version ?? "no-model", scope.from ?? "start", scope.to ?? "now"];
  const months = scope.from || scope.to ? `${scope.from ?? "the start"} to ${scope.to ?? "now"}` : "all months";
  const nothingYet = outcomes.lesions === 0 && dashboard.trends.length === 0;

  return (
    <>
      <PageHeader title="Outcomes">
        Biopsies avoided and malignancies missed, the model against the clinician on biopsy-confirmed lesions, per model version and
        month.
      </PageHeader>
      <SafetyEventsPanel events={safetyEvents} canAcknowledge={can(user.role, "safety:acknowledge")} />
      <DashboardFilters dashboard={dashboard} query={search.query} />
      {search.ignored.length > 0 ? (
        <p className="mb-4 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" data-testid="ignored-params">
          Ignored values that could not be read: {search.ignored.join(", ")}.
        </p>
      ) : null}

      <p className="mb-6 text-sm text-slate-700" data-testid="dashboard-scope">
        {model ? (
          <>
            Model <span className="font-mono font-semibold">{model.version}</span> ({model.status.toLowerCase()}), operating threshold{" "}
            <span className="font-semibold">{percent(model.threshold)}</span> (the operating point in force here; target {percent(model.targetSensitivity)} sensitivity).{" "}
          </>
        ) : (
          <>No model version. </>
        )}
        Months: {months}. {wholeNumber(outcomes.lesions)} lesions with an outcome, {wholeNumber(outcomes.biopsied)} biopsied
        {figures ? `, ${wholeNumber(figures.scoredBiopsied)} of them scored by this model (${wholeNumber(figures.unscoredBiopsied)} not scored)` : ""}.
      </p>
      {figures ? <TrainingCasesNote training={figures.trainingCases} /> : null}

      <SafetyPanel dashboard={dashboard} fileParts={fileParts} />

      {nothingYet ? (
        <EmptyState title={scope.from || scope.to ? "No outcomes in these months" : "No biopsy outcomes yet"} action={{ href: "/outcomes", label: "Show all months" }}>
          Outcomes appear once histopathology results are recorded on lesions or imported with a data set.
        </EmptyState>
      ) : (
        <>
          {model === null ? (
            <EmptyState title="No active model">
              Biopsy counts are shown below; the model&apos;s figures (avoidable biopsies, missed malignancies, ROC, calibration, the what-if)
              appear once an admin promotes a model version under Models, or when you choose a version above.
            </EmptyState>
          ) : null}

          <Section id="headline" title="Key figures">
            {figures ? (
              <div className="mt-3 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
                <Card
                  testId="card-avoidable"
                  label="Benign biopsies avoidable"
                  value={fraction(figures.biopsy.avoidableRate)}
                  detail={`${proportionWithInterval(figures.biopsy.avoidableRate)} of scored benign biopsies`}
                />
                <Card
                  testId="card-nnb"
                  label="Number needed to biopsy, before → after"
                  value={`${decimal(figures.biopsy.numberNeededToBiopsy)} → ${decimal(figures.biopsy.numberNeededToBiopsyIfDeferred)}`}
                  detail={`${wholeNumber(figures.scoredBiopsied)} scored biopsied lesions`}
                />
                <Card
                  testId="card-saving"
                  label="Estimated cost saved (estimate)"
                  value={money(figures.estimatedSaving)}
                  detail={`${figures.biopsy.benignCalledLikelyBenign} biopsies × ${money(scope.costPerBiopsy)} (local currency)`}
                />
                <Card
                  testId="card-auc"
                  label="AUC on biopsied lesions"
                  value={decimal(figures.roc.auc, 3)}
                  detail={`${figures.roc.positives} malignant, ${figures.roc.negatives} benign; ECE ${decimal(figures.calibration.ece, 3)}`}
                />
              </div>
            ) : null}
            <DataTable spec={keyFiguresTable(dashboard)} fileParts={fileParts} />
            {dashboard.activity ? <DataTable spec={activityTable(dashboard.activity)} fileParts={fileParts} /> : null}
          </Section>

          {figures && model ? (
            <>
              <Section
                id="comparison"
                title="Model against clinician on biopsy-confirmed lesions"
                intro="Both are judged against histopathology on the same lesions; each proportion shows its 95% interval and the cases behind it."
              >
                {figures.comparison.n === 0 ? (
                  <p className="mt-3 rounded-lg border border-dashed border-slate-300 bg-white p-4 text-sm text-slate-700" data-testid="comparison-not-recorded">
                    Clinician calls: <span className="font-semibold">not recorded</span>. None of the {wholeNumber(figures.scoredBiopsied)} scored
                    biopsied lesions has a clinical assessment, so the model cannot be compared with a clinician here. Imported data sets
                    carry no clinician calls; they appear once clinicians record assessments before the outcome.
                  </p>
                ) : (
                  <>
                    <DataTable spec={comparisonTable(figures, model.threshold)} fileParts={fileParts} />
                    <DataTable spec={confusionTable(figures)} fileParts={fileParts} />
                  </>
                )}
              </Section>

              <Section id="discrimination" title="Discrimination and calibration" intro={`On ${wholeNumber(figures.roc.n)} scored biopsied lesions.`}>
                <div className="mt-3 grid gap-4 lg:grid-cols-2">
                  <div>
                    <h3 className="mb-2 text-base font-semibold">
                      ROC curve, AUC <span data-testid="roc-auc">{decimal(figures.roc.auc, 3)}</span>
                    </h3>
                    {figures.roc.points ? (
                      <RocChart points={figures.roc.points} operatingPoint={figures.roc.operatingPoint} auc={figures.roc.auc} n={figures.roc.n} />
                    ) : (
                      <p className="rounded-lg border border-dashed border-slate-300 bg-white p-4 text-sm text-slate-600">
                        No ROC curve: it needs both malignant and benign biopsied lesions ({figures.roc.positives} malignant, {figures.roc.negatives}{" "}
                        benign).
                      </p>
                    )}
                    <details className="mt-2">
                      <summary className="cursor-pointer text-sm text-sky-800">ROC points as a table</summary>
                      <DataTable spec={rocTable(figures)} fileParts={fileParts} />
                    </details>
                  </div>
                  <div>
                    <h3 className="mb-2 text-base font-semibold">
                      Reliability, ECE <span data-testid="ece">{decimal(figures.calibration.ece, 3)}</span>
                    </h3>
                    <ReliabilityChart bins={figures.calibration.bins} ece={figures.calibration.ece} n={figures.calibration.n} />
                    <details className="mt-2">
                      <summary className="cursor-pointer text-sm text-sky-800">Reliability bins as a table</summary>
                      <DataTable spec={calibrationTable(figures)} fileParts={fileParts} />
                    </details>
                  </div>
                </div>
              </Section>
            </>
          ) : null}

          <Section id="trends" title="Trends by month">
            {dashboard.trends.length > 0 ? (
              <div className="mt-3">
                <TrendChart
                  withModel={figures !== null}
                  months={dashboard.trends.map((month) => ({
                    month: month.month,
                    biopsies: month.biopsies,
                    benignAvoidable: month.benignAvoidable,
                    malignantMissed: month.malignantMissed,
                    deferrals: month.decisions.DEFER_MONITOR,
                  }))}
                />
              </div>
            ) : null}
            <DataTable spec={trendsTable(dashboard)} fileParts={fileParts} />
          </Section>

          {figures && model ? (
            <>
              <Section
                id="what-if"
                title="What if: another operating threshold"
                intro="On the historical biopsied lesions: move the threshold to see the benign biopsies deferral would have avoided against the malignancies it would have missed."
              >
                <div className="mt-3">
                  <WhatIfExplorer
                    points={figures.whatIf.points}
                    currentThreshold={figures.whatIf.currentThreshold}
                    cases={figures.whatIf.cases}
                    benign={figures.whatIf.benign}
                    malignant={figures.whatIf.malignant}
                    costPerBiopsy={scope.costPerBiopsy}
                    table={whatIfTable(figures, scope.costPerBiopsy)}
                    fileParts={fileParts}
                  />
                </div>
              </Section>

              <Section id="subgroups" title="Subgroups" intro="Performance by patient and lesion group; Fitzpatrick V–VI are always reviewed by a dermatologist.">
                <div>
                  {(Object.keys(SUBGROUP_TITLES) as (keyof typeof SUBGROUP_TITLES)[]).map((key) => (
                    <DataTable key={key} spec={subgroupTable(key, figures.subgroups[key], model.threshold)} fileParts={fileParts} />
                  ))}
                </div>
              </Section>
            </>
          ) : null}
        </>
      )}
      <Definitions />
      <p className="mt-4 text-xs text-slate-500">Computed {dashboard.generatedAt.replace("T", " ").slice(0, 16)} UTC.</p>
    </>
  );
}

/** Which lesions the model's figures leave out because it was trained on them, or a warning that nobody knows. */
function TrainingCasesNote({ training }: { training: ModelOutcomes["trainingCases"] }) {
  if (!training.recorded) {
    return (
      <p className="mb-6 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" data-testid="training-cases">
        This model&apos;s training cases are not recorded, so its figures below may include lesions it was trained on and overstate
        its accuracy. Register the model again with its data set available (<code>npm run models:register</code>) to record them.
      </p>
    );
  }
  return (
    <p className="mb-6 rounded-lg border border-slate-200 bg-white p-3 text-sm text-slate-700" data-testid="training-cases">
      <span className="font-semibold">
        {wholeNumber(training.leftOutBiopsied)} biopsied {training.leftOutBiopsied === 1 ? "lesion" : "lesions"} left out: the model was
        trained on them.
      </span>{" "}
      The model&apos;s figures count only lesions it never saw in training or validation ({wholeNumber(training.trainLesions ?? 0)}{" "}
      training and {wholeNumber(training.valLesions ?? 0)} validation lesions recorded; {training.source}).
    </p>
  );
}
