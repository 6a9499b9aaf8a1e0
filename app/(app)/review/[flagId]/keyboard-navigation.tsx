"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useEffectEvent, useState } from "react";
import { isTypingTarget, reviewKeyAction } from "./keyboard";

/** j / k between flags in queue order (the neighbours API), with the same links for the mouse. */
export function KeyboardNavigation({ previous, next }: { previous: string | null; next: string | null }) {
  const router = useRouter();
  const [notice, setNotice] = useState<string | null>(null);

  const onKeyDown = useEffectEvent((event: KeyboardEvent) => {
    const action = reviewKeyAction({
      key: event.key,
      ctrlKey: event.ctrlKey,
      metaKey: event.metaKey,
      altKey: event.altKey,
      typing: isTypingTarget(event.target instanceof HTMLElement ? event.target : null),
      dialogOpen: document.querySelector("dialog[open]") !== null,
    });
    if (action?.type !== "next" && action?.type !== "previous") return;
    event.preventDefault();
    const target = action.type === "next" ? next : previous;
    if (target) router.push(`/review/${target}`);
    else setNotice(action.type === "next" ? "This is the last open flag in the queue." : "This is the first open flag in the queue.");
  });

  useEffect(() => {
    const listener = (event: KeyboardEvent) => onKeyDown(event);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  const linkClass = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100";
  return (
    <div className="flex flex-wrap items-center gap-3">
      <nav aria-label="Queue navigation" className="flex gap-2">
        {previous ? (
          <Link href={`/review/${previous}`} className={linkClass} aria-keyshortcuts="k">
            ← Previous <kbd className="text-xs text-slate-500">k</kbd>
          </Link>
        ) : (
          <span className={`${linkClass} text-slate-400`}>First in queue</span>
        )}
        {next ? (
          <Link href={`/review/${next}`} className={linkClass} aria-keyshortcuts="j">
            Next <kbd className="text-xs text-slate-500">j</kbd> →
          </Link>
        ) : (
          <span className={`${linkClass} text-slate-400`}>Last in queue</span>
        )}
      </nav>
      {notice ? (
        <p role="status" className="text-sm text-slate-600">
          {notice}
        </p>
      ) : null}
    </div>
  );
}
