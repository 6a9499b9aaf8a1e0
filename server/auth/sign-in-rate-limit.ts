/**
 * Failed sign-ins per client address, in a sliding window, on top of the per-account lockout (authenticate.ts): the
 * lockout stops guessing one account's password, this stops one address trying many accounts (and spending the
 * server's CPU on Argon2 for each). Successful sign-ins do not count, so a clinic behind one address is not locked out
 * by its own staff. In memory, per web process: a deployment with several web processes multiplies the
 * allowance by their number, which is still a bound. The address is the first X-Forwarded-For entry, which the TLS
 * terminator in front must set (SECURITY.md); without one, every client shares the "unknown" allowance.
 */
export const FAILED_SIGN_INS_PER_WINDOW = 30;
export const SIGN_IN_WINDOW_MS = 10 * 60_000;

export class SlidingWindowLimiter {
  private readonly events = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Whether `key` has used its allowance in the window. */
  isBlocked(key: string, now = Date.now()): boolean {
    return this.recent(key, now).length >= this.limit;
  }

  /** Counts one event (a failed sign-in) for `key`. */
  record(key: string, now = Date.now()): void {
    const recent = this.recent(key, now);
    recent.push(now);
    this.events.delete(key); // re-insert: Map order is then least recently used first
    this.events.set(key, recent);
    // Bounded memory under a flood of distinct addresses: forget the least recently seen.
    while (this.events.size > this.maxKeys) this.events.delete(this.events.keys().next().value!);
  }

  private recent(key: string, now: number): number[] {
    return (this.events.get(key) ?? []).filter((time) => now - time < this.windowMs);
  }
}

export function clientAddress(headers: Headers): string {
  return headers.get("x-forwarded-for")?.split(",")[0]?.trim() || headers.get("x-real-ip")?.trim() || "unknown";
}

export const failedSignIns = new SlidingWindowLimiter(FAILED_SIGN_INS_PER_WINDOW, SIGN_IN_WINDOW_MS);
