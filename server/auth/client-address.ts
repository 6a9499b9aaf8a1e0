/**
 * Which client a sign-in comes from, for the per-address limit (sign-in-rate-limit.ts).
 *
 * Next.js 16 gives route handlers and server actions no socket address. It copies the connection's address into
 * X-Forwarded-For only when the request carries none (next/dist/server/base-server.js:
 * `x-forwarded-for ??= socket.remoteAddress`), so a client that sends its own header hides the real one. Hence each
 * request is stamped, the moment Node's HTTP server receives it and before Next sees it, with its connection's
 * address (`stampPeerAddresses`, run by instrumentation.ts on Node's `http.server.request.start` diagnostics
 * channel). The stamp carries a random per-process nonce, so a copy sent by a client is worthless. X-Forwarded-For
 * is then believed only from a connection that comes from a configured proxy (TRUSTED_PROXIES), walking it from the
 * right past every trusted hop, as a proxy appends the address it saw.
 *
 * A request with no valid stamp (one that arrived while the server was still starting, before the hook ran) has no
 * known address and shares one "unknown" allowance: refused early rather than believed.
 */
import { randomBytes } from "node:crypto";
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";

export const PEER_ADDRESS_HEADER = "x-dermflag-peer-address";

// Shared through globalThis: Next bundles instrumentation.ts and each route separately, so module state is not shared.
const NONCE_KEY = Symbol.for("dermflag.peerAddressNonce");
const store = globalThis as unknown as Record<symbol, string | undefined>;

function processNonce(): string {
  store[NONCE_KEY] ??= randomBytes(16).toString("hex");
  return store[NONCE_KEY];
}

/** The value of PEER_ADDRESS_HEADER for a connection from `address` (what the HTTP hook writes). */
export function peerAddressStamp(address: string): string {
  return `${processNonce()} ${address}`;
}

const SUBSCRIBED_KEY = Symbol.for("dermflag.peerAddressHook");

/** Stamps every request this process's HTTP servers receive with its connection's address. Idempotent. */
export function stampPeerAddresses(): void {
  const flags = globalThis as unknown as Record<symbol, boolean | undefined>;
  if (flags[SUBSCRIBED_KEY]) return;
  flags[SUBSCRIBED_KEY] = true;
  subscribe("http.server.request.start", (message) => {
    const { request } = message as { request: IncomingMessage };
    // Overwrites whatever the client sent under this name.
    request.headers[PEER_ADDRESS_HEADER] = peerAddressStamp(request.socket.remoteAddress ?? "");
  });
}

/** The connection's address stamped on this request, or null when there is no genuine stamp. */
export function peerAddress(headers: Headers): string | null {
  const [stampNonce, address] = headers.get(PEER_ADDRESS_HEADER)?.split(" ") ?? [];
  if (stampNonce !== processNonce() || !address) return null;
  return normaliseAddress(address);
}

/** "::ffff:10.0.0.1" -> "10.0.0.1", "FE80::1%eth0" -> "fe80::1"; null for anything that is not an IP address. */
export function normaliseAddress(raw: string): string | null {
  let address = raw.trim().toLowerCase();
  const zone = address.indexOf("%");
  if (zone >= 0) address = address.slice(0, zone);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped?.[1]) address = mapped[1];
  return isIP(address) === 0 ? null : address;
}

/** TRUSTED_PROXIES (validated in server/env.ts) as a lookup. */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", prefix] = entry.split("/");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

function isTrusted(list: BlockList, address: string): boolean {
  return list.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
}

/**
 * The client's address: the connection's own, unless that connection comes from a trusted proxy; then the rightmost
 * X-Forwarded-For entry that is not itself a trusted proxy. Null when unknown (no genuine stamp).
 */
export function clientAddress(headers: Headers, trusted: BlockList): string | null {
  const peer = peerAddress(headers);
  if (!peer || !isTrusted(trusted, peer)) return peer;
  const forwarded = (headers.get("x-forwarded-for") ?? "").split(",").map((entry) => entry.trim()).filter(Boolean);
  let client = peer;
  for (const entry of forwarded.reverse()) {
    const address = normaliseAddress(entry);
    // A malformed hop cannot be told apart from a forged one: stop at the last address a trusted proxy vouched for.
    if (!address) break;
    client = address;
    if (!isTrusted(trusted, address)) break;
  }
  return client;
}

/**
 * The limiter's key for an address. IPv6 is keyed by its /64: one subscriber usually holds a whole /64, so keying on
 * full addresses would let one client rotate through billions of them.
 */
export function addressKey(address: string | null): string {
  if (!address) return "unknown";
  if (isIP(address) === 4) return `ip:${address}`;
  return `ip6:${ipv6Prefix64(address)}/64`;
}

function ipv6Prefix64(address: string): string {
  const [head = "", tail] = address.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  // An embedded IPv4 tail ("64:ff9b::192.0.2.1") is two groups; it only ever falls in the host half.
  const tailLength = tailGroups.reduce((sum, group) => sum + (group.includes(".") ? 2 : 1), 0);
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailLength).fill("0"), ...tailGroups];
  return groups
    .slice(0, 4)
    .map((group) => (parseInt(group, 16) || 0).toString(16))
    .join(":");
}
