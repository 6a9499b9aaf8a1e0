import type { Metadata } from "next";
import Link from "next/link";
import { requirePermission } from "@/server/auth/guards";
import { can } from "@/server/auth/roles";
import { serverApi } from "@/server/trpc/server";
import { EmptyState, PageHeader } from "../../_components/empty-state";
import { DriftPanel } from "./drift-panel";
import { LocalValidationPanel } from "./local-validation-panel";
import { ModelActions } from "./model-actions";
import { OperatingPointPanel } from "./operating-point-panel";
import { PromotionRequestsPanel } from "./promotion-requests-panel";

export const metadata: Metadata = { title: "Models" };

const pct = (value: number | null | undefined) => (value === null || value === undefined ? "–" : `${(100 * value).toFixed(1)}%`);
const num = (value: number | null | undefined) => (value === null || value === undefined ? "–" : value.toFixed(3));

const STATUS_STYLES: Record<string, string> = {
  ACTIVE: "bg-emerald-100 text-emerald-800",
  CANDIDATE: "bg-sky-100 text-sky-800",
  RETIRED: "bg-slate-100 text-slate-700",
  REJECTED: "bg-red-100 text-red-800",
};

export default async function ModelsPage() {
  const user = await requirePermission("models:read");
  const api = await serverApi();
  const [versions, local, requests, drift] = await Promise.all([
    api.models.list(),
    api.safety.localValidation(),
    api.models.promotionRequests(),
    api.safety.drift(),
  ]);
  const canManage = can(user.role, "models:manage");
  const active = versions.find((version) => version.status === "ACTIVE") ?? null;
  const operatingPoints = active ? await api.models.operatingPoints({ modelVersionId: active.id }) : null;
  const pendingBy = new Map(requests.pending.map((request) => [request.modelVersion.id, request.requestedBy.name]));
  return (
    <>
      <PageHeader title="Models">
        Every model version with its evaluation on held-out test cases, its operating threshold and its promotion gates. Promotion takes
        two admins (one requests, another approves); roll back takes one.
      </PageHeader>
      <PromotionRequestsPanel data={requests} currentUserId={user.id} canManage={canManage} />
      {local ? <LocalValidationPanel data={local} canManage={canManage} /> : null}
      {drift ? <DriftPanel drift={drift} /> : null}
      {active && operatingPoints ? (
        <OperatingPointPanel
          model={{ id: active.id, version: active.version }}
          points={operatingPoints}
          proposal={local?.validation.proposedThreshold?.value ?? null}
          canManage={canManage}
        />
      ) : null}
      {versions.length === 0 ? (
        <EmptyState title="No model yet">
          Images are not scored until a model is trained, registered and promoted. Train one from the Retraining page, or with{" "}
          <code>npm run ml:train</code> and register it with <code>npm run models:register</code>.
        </EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
          <p className="px-3 pt-3 text-xs text-slate-600" data-testid="model-table-caveat">
            Each row&apos;s figures come from that version&apos;s own test set (the number of test images is under its AUC): versions
            trained on other data were tested on other cases, so compare rows only where the test sets match. A candidate is
            compared with the active model on the same locked cases in its Gates column and on the Retraining page.
          </p>
          <table className="w-full text-left text-sm" data-testid="model-table">
            <thead className="bg-slate-100 text-slate-600">
              <tr>
                <th className="px-3 py-2">Version</th>
                <th className="px-3 py-2">Status</th>
                <th className="px-3 py-2">Threshold</th>
                <th className="px-3 py-2" title="Test AUC of P(malignant)">AUC</th>
                <th className="px-3 py-2">Sensitivity / specificity</th>
                <th className="px-3 py-2" title="7-class accuracy">Accuracy</th>
                <th className="px-3 py-2" title="AUC on biopsied (histo) test lesions">Biopsied AUC</th>
                <th className="px-3 py-2" title="Biopsied benign lesions called likely benign">Avoidable biopsies</th>
                <th className="px-3 py-2">ECE</th>
                <th className="px-3 py-2">Gates</th>
                {canManage ? <th className="px-3 py-2">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {versions.map((version) => {
                const { headline, gates, gatesVerdict: verdict, operatingPointInForce: inForce } = version;
                return (
                  <tr key={version.id} className="border-t border-slate-100 align-top" data-testid={`model-row-${version.version}`}>
                    <td className="px-3 py-2 font-mono text-xs">
                      {version.version}
                      <div>
                        <Link href={`/models/${version.id}`} className="font-sans text-sky-800 underline underline-offset-2">
                          Model card
                        </Link>
                      </div>
                      <div className="font-sans text-slate-500">
                        {version.architecture}, {version.inputSize} px
                      </div>
                    </td>
                    <td className="px-3 py-2">
                      <span className={`rounded px-2 py-0.5 text-xs ${STATUS_STYLES[version.status] ?? ""}`}>{version.status}</span>
                      <div className="mt-1 text-xs text-slate-500">
                        {version.predictions.toLocaleString("en")} {version.predictions === 1 ? "prediction" : "predictions"}
                      </div>
                      {version.promotedAt ? (
                        <div className="mt-1 text-xs text-slate-500">
                          {version.promotionReason} {version.promotedBy ? `(${version.promotedBy.name})` : ""}
                        </div>
                      ) : null}
                    </td>
                    <td className="px-3 py-2">
                      {pct(version.threshold)}
                      <div className="text-xs text-slate-500">for {pct(version.targetSensitivity)} sensitivity (validation)</div>
                      {inForce && inForce.version > 1 ? (
                        <div className="text-xs text-sky-800">
                          in force: {inForce.threshold.toFixed(4)} (operating point v{inForce.version},{" "}
                          {inForce.source.toLowerCase()})
                        </div>
                      ) : null}
                    </td>
                    <td className="px-3 py-2">
                      {num(headline?.testAuc)}
                      {headline ? <div className="text-xs text-slate-500">{headline.testCases} test images</div> : null}
                    </td>
                    <td className="px-3 py-2 whitespace-nowrap">
                      {pct(headline?.testSensitivity)} / {pct(headline?.testSpecificity)}
                    </td>
                    <td className="px-3 py-2">{pct(headline?.testAccuracy)}</td>
                    <td className="px-3 py-2">{num(headline?.histoAuc)}</td>
                    <td className="px-3 py-2">{pct(headline?.avoidableBiopsyRate)}</td>
                    <td className="px-3 py-2">{num(headline?.ece)}</td>
                    <td className="px-3 py-2">
                      {gates ? (
                        <ul className="space-y-1 text-xs">
                          {gates.checks.map((check) => (
                            <li key={check.name} className={check.passed ? "text-emerald-800" : "text-red-800"}>
                              {check.passed ? "✓" : "✗"} {check.detail}
                            </li>
                          ))}
                          {version.status === "CANDIDATE" && gates?.passed && !verdict.passed ? <li className="text-amber-800">! Stale: {verdict.reason}.</li> : null}
                        </ul>
                      ) : (
                        "–"
                      )}
                    </td>
                    {canManage ? (
                      <td className="px-3 py-2">
                        <ModelActions
                          modelVersionId={version.id}
                          version={version.version}
                          status={version.status}
                          gatesPassed={verdict.passed}
                          pendingRequestBy={pendingBy.get(version.id) ?? null}
                        />
                      </td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {canManage && versions.some((version) => version.status === "RETIRED") ? (
        <ModelActions rollBackOnly modelVersionId="" version="" status="ACTIVE" gatesPassed pendingRequestBy={null} />
      ) : null}
    </>
  );
}
