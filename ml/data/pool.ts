/**
 * Bounded concurrency for async work over many items: enough requests in flight to keep sharp's libvips threads
 * busy, without opening thousands of files at once.
 */
export async function forEachWithConcurrency(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      await task(index);
    }
  };
  // The first failure rejects the whole run, and other workers stop picking up new items.
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, () =>
      worker().catch((error: unknown) => {
        next = count;
        throw error;
      }),
    ),
  );
}
