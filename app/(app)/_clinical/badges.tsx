export function MalignancyBadge({ malignant }: { malignant: boolean }) {
  return malignant ? (
    <span className="inline-block rounded-full bg-red-100 px-2 py-0.5 text-xs font-semibold text-red-800">Malignant</span>
  ) : (
    <span className="inline-block rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-semibold text-emerald-800">Benign</span>
  );
}
