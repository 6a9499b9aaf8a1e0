import { KEYBOARD_HELP } from "./keyboard";

/** The review page's shortcuts, always on screen so nobody has to guess them. */
export function KeyboardHelp() {
  return (
    <section aria-labelledby="keyboard-heading" className="rounded-xl border border-slate-200 bg-white p-4 text-sm" data-testid="keyboard-help">
      <h2 id="keyboard-heading" className="mb-2 font-semibold">
        Keyboard shortcuts
      </h2>
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
        {KEYBOARD_HELP.map((entry) => (
          <div key={entry.keys} className="contents">
            <dt>
              <kbd className="rounded border border-slate-300 bg-slate-50 px-1.5 font-mono text-xs">{entry.keys}</kbd>
            </dt>
            <dd className="text-slate-700">{entry.action}</dd>
          </div>
        ))}
      </dl>
      <p className="mt-2 text-xs text-slate-500">Shortcuts are off while you type in a field or the zoom view is open.</p>
    </section>
  );
}
