/**
 * Runs once when the Next.js server starts, before it serves requests.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    // Route handlers get no socket address from Next.js: stamp it on each request (server/auth/client-address.ts).
    const { stampPeerAddresses } = await import("./server/auth/client-address");
    stampPeerAddresses();
  }
}
