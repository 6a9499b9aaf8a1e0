/**
 * Reads a request body into memory, but stops as soon as it passes `maxBytes`: an upload larger than the image limit
 * is refused after at most maxBytes + one chunk, not after buffering all of it.
 */
export type LimitedBody = { ok: true; bytes: Uint8Array<ArrayBuffer> } | { ok: false; receivedBytes: number };

export async function readLimitedBody(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<LimitedBody> {
  if (!body) return { ok: true, bytes: new Uint8Array() };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      // Tell the sender to stop; whatever it has not sent yet is never read.
      await reader.cancel().catch(() => undefined);
      return { ok: false, receivedBytes: received };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return { ok: true, bytes };
}
