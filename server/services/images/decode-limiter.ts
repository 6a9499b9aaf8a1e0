/**
 * Bounds image decoding in one web process. Decoding is where an upload costs memory and CPU: a 49-megapixel image
 * is about 150 MB of raw pixels before re-encoding, and 16 of them decoded at once took the web server from 505 to
 * 1,673 MB and stalled everyone else's requests for 5 s.
 *
 * Two limits, both checked when an upload is admitted, before its body is read (so the bodies waiting are bounded
 * too):
 * - per user: at most `maxPerUser` uploads admitted (waiting or decoding). The upload page sends two at a time per
 *   tab, so 4 allows two tabs; a fifth is answered 429 with Retry-After.
 * - per process: at most `maxAdmitted` admitted in all; beyond that the server answers 503 with Retry-After.
 * Admitted uploads then queue for one of `maxConcurrent` decode slots. When a slot frees, it goes to the waiting
 * upload whose user has the fewest decodes running, and among those to the user served longest ago (then first come
 * first served): users take turns, so one user's batch does not hold back another user's single image.
 *
 * Per process, in memory: each web process bounds its own memory. The limits are constants here (DEFAULT_DECODE_LIMITS);
 * tests pass their own.
 */
export interface DecodeLimits {
  /** Decodes running at once in this process. */
  maxConcurrent: number;
  /** Uploads one user may have admitted (waiting or decoding) at once. */
  maxPerUser: number;
  /** Uploads admitted at once in this process, all users together. */
  maxAdmitted: number;
}

/** Two decodes: libvips already spreads one decode over the cores, and two keep the peak near 2 x 150 MB for the largest images. */
export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = { maxConcurrent: 2, maxPerUser: 4, maxAdmitted: 12 };

/** Seconds a refused client is told to wait (Retry-After). */
export const DECODE_RETRY_AFTER_SECONDS = 5;

export class DecodeBusyError extends Error {
  override readonly name = "DecodeBusyError";
  constructor(
    /** "user": this user has too many uploads in progress (429); "server": the process is full (503). */
    readonly scope: "user" | "server",
  ) {
    super(scope === "user" ? "Too many uploads in progress for this user." : "Too many uploads in progress on this server.");
  }
}

export interface DecodeTicket {
  /** Runs `decode` once a decode slot is free; at most one call per ticket. */
  run<T>(decode: () => Promise<T>): Promise<T>;
  /** Ends the admission (idempotent); call it when the request ends, whatever happened. */
  release(): void;
}

interface Waiter {
  userId: string;
  start: () => void;
}

export class DecodeLimiter {
  private readonly limits: DecodeLimits;
  private admittedTotal = 0;
  private running = 0;
  private readonly admittedByUser = new Map<string, number>();
  private readonly runningByUser = new Map<string, number>();
  private readonly waiting: Waiter[] = [];
  /** When each user's last decode started, as a running count (for taking turns). */
  private readonly lastStart = new Map<string, number>();
  private starts = 0;

  constructor(limits: Partial<DecodeLimits> = {}) {
    this.limits = { ...DEFAULT_DECODE_LIMITS, ...limits };
  }

  /** Admits one upload by `userId`, or throws DecodeBusyError. */
  admit(userId: string): DecodeTicket {
    const mine = this.admittedByUser.get(userId) ?? 0;
    if (mine >= this.limits.maxPerUser) throw new DecodeBusyError("user");
    if (this.admittedTotal >= this.limits.maxAdmitted) throw new DecodeBusyError("server");
    this.admittedByUser.set(userId, mine + 1);
    this.admittedTotal += 1;
    let released = false;
    let used = false;
    return {
      run: async <T>(decode: () => Promise<T>): Promise<T> => {
        if (released || used) throw new Error("A decode ticket runs one decode, before it is released.");
        used = true;
        await this.slot(userId);
        try {
          return await decode();
        } finally {
          this.running -= 1;
          this.add(this.runningByUser, userId, -1);
          this.dispatch();
        }
      },
      release: () => {
        if (released) return;
        released = true;
        this.admittedTotal -= 1;
        this.add(this.admittedByUser, userId, -1);
        if (!this.admittedByUser.has(userId)) this.lastStart.delete(userId);
      },
    };
  }

  /** For tests and diagnostics. */
  get usage(): { admitted: number; running: number; waiting: number } {
    return { admitted: this.admittedTotal, running: this.running, waiting: this.waiting.length };
  }

  private slot(userId: string): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push({
        userId,
        start: () => {
          this.running += 1;
          this.add(this.runningByUser, userId, 1);
          this.lastStart.set(userId, (this.starts += 1));
          resolve();
        },
      });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.running < this.limits.maxConcurrent && this.waiting.length > 0) {
      const rank = (waiter: Waiter) => [this.runningByUser.get(waiter.userId) ?? 0, this.lastStart.get(waiter.userId) ?? 0] as const;
      let chosen = 0;
      for (let i = 1; i < this.waiting.length; i += 1) {
        const [load, last] = rank(this.waiting[i]!);
        const [bestLoad, bestLast] = rank(this.waiting[chosen]!);
        if (load < bestLoad || (load === bestLoad && last < bestLast)) chosen = i;
      }
      this.waiting.splice(chosen, 1)[0]!.start();
    }
  }

  private add(counts: Map<string, number>, userId: string, delta: number): void {
    const next = (counts.get(userId) ?? 0) + delta;
    if (next <= 0) counts.delete(userId);
    else counts.set(userId, next);
  }
}

/** The web process's limiter, shared by every upload request it serves. */
export const uploadDecodeLimiter = new DecodeLimiter();
