/** Shown on every page while DermFlag runs in demo mode (DERMFLAG_DEMO=1), the login page included. */
export function DemoBanner() {
  return (
    <div role="note" aria-label="Demo mode" data-testid="demo-banner" className="bg-amber-300 px-4 py-1.5 text-center text-sm font-medium text-amber-950">
      Demo: accounts with published passwords and sample data. Do not enter real patient information.
    </div>
  );
}
