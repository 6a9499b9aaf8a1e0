/** How every figure is computed, in words a clinician can check (the rules live in server/services/outcomes). */
import { CLINICIAN_CALL_RULE } from "@/server/services/outcomes/clinician-call";

export function Definitions() {
  return (
    <details className="mt-10 rounded-xl border border-slate-200 bg-white p-4 text-sm" data-testid="definitions">
      <summary className="cursor-pointer font-semibold">How these figures are computed</summary>
      <dl className="mt-3 space-y-2 text-slate-700">
        <dt className="font-medium">Biopsy</dt>
        <dd>A lesion with a histopathology result. Outcomes confirmed by follow-up, consensus, confocal microscopy or an archive label are outcomes, not biopsies. One lesion counts once, in the month of its (latest) histopathology report.</dd>
        <dt className="font-medium">Lesion score</dt>
        <dd>The highest P(malignant) of the lesion&apos;s images under the model version: a lesion is called likely benign only if all its images score below the threshold. Lesions the version never scored are left out of its figures (their number is shown).</dd>
        <dt className="font-medium">Model call</dt>
        <dd>Malignant when the lesion score is at or above the model version&apos;s operating threshold.</dd>
        <dt className="font-medium">Clinician call</dt>
        <dd>{CLINICIAN_CALL_RULE} Model and clinician are compared on the same biopsied lesions.</dd>
        <dt className="font-medium">Benign biopsies avoidable, avoidable-biopsy rate</dt>
        <dd>Benign biopsied lesions the model calls likely benign, out of all benign biopsied lesions it scored. Retrospective: they were biopsied.</dd>
        <dt className="font-medium">Missed malignancies</dt>
        <dd>Malignant biopsied lesions scoring below the threshold: the cancers that deferral at this threshold would have delayed.</dd>
        <dt className="font-medium">Malignancies among deferred lesions</dt>
        <dd>Lesions a reviewer deferred (decision: defer biopsy and monitor) with any malignant outcome, over every model version and all time.</dd>
        <dt className="font-medium">Number needed to biopsy (NNB)</dt>
        <dd>Biopsies per malignancy found. &quot;After&quot;: had every lesion the model calls likely benign been deferred, biopsies left per malignancy among them.</dd>
        <dt className="font-medium">Estimated cost saved</dt>
        <dd>Benign biopsies avoidable × the cost per biopsy. An estimate: it leaves out follow-up visits and later biopsies of deferred lesions.</dd>
        <dt className="font-medium">Intervals, AUC, calibration</dt>
        <dd>Proportions carry 95% Wilson intervals. AUC is the ROC AUC of the lesion score (undefined with one class). Calibration: 10 equal-width bins, expected calibration error weighted by bin size.</dd>
        <dt className="font-medium">Flags and deferrals</dt>
        <dd>Flags the model version raised in the chosen months, leaving out flags superseded before anyone decided them; decisions on that version&apos;s flags by the month they were made.</dd>
      </dl>
    </details>
  );
}
