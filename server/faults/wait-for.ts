/** Polls `read` until it returns something other than null, or fails after `seconds` with what it waited for. */
export async function waitFor<T>(
  read: () => Promise<T | null>,
  options: { seconds: number; what: string | (() => string); everyMs?: number },
): Promise<T> {
  const deadline = Date.now() + options.seconds * 1000;
  for (;;) {
    const value = await read();
    if (value !== null) return value;
    if (Date.now() > deadline) {
      const what = typeof options.what === "string" ? options.what : options.what();
      throw new Error(`timed out after ${options.seconds} s waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 250));
  }
}

/** Rejects when `work` takes longer than `ms`: a call that hangs is a failure of its own, not a slow test. */
export function withinMs<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CallHungError(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export class CallHungError extends Error {
  override readonly name = "CallHungError";
}
