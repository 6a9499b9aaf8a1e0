import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addressKey,
  clientAddress,
  normaliseAddress,
  PEER_ADDRESS_HEADER,
  peerAddressStamp,
  stampPeerAddresses,
  trustedProxyList,
} from "./client-address";

const NO_PROXY = trustedProxyList([]);
const LOCAL_PROXY = trustedProxyList(["127.0.0.1", "10.0.0.0/8"]);

/** A real HTTP server with the start-up hook installed, answering with the request's headers as the app sees them. */
let server: Server;
let port: number;

beforeAll(async () => {
  stampPeerAddresses();
  server = createServer((req, res) => res.end(JSON.stringify(req.headers)));
  await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

/** Sends a request from `localAddress` (any 127.x.y.z reaches the loopback listener) with the client's own headers. */
function headersSeenByApp(localAddress: string, headers: Record<string, string> = {}): Promise<Headers> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, localAddress, headers, agent: false }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => {
        const seen = JSON.parse(body) as IncomingHttpHeaders;
        resolve(new Headers(Object.entries(seen).map(([name, value]): [string, string] => [name, String(value)])));
      });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the client address behind Next.js", () => {
  it("keys on the connection when no proxy is trusted: a rotated X-Forwarded-For, or a forged stamp, changes nothing", async () => {
    const keys = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const headers = await headersSeenByApp("127.0.0.1", {
        "x-forwarded-for": `203.0.113.${i}`,
        "x-real-ip": `198.51.100.${i}`,
        [PEER_ADDRESS_HEADER]: `forged 192.0.2.${i}`,
      });
      keys.add(addressKey(clientAddress(headers, NO_PROXY)));
    }
    expect([...keys]).toEqual(["ip:127.0.0.1"]);
  });

  it("gives two connections from different addresses different keys", async () => {
    const first = clientAddress(await headersSeenByApp("127.0.0.1"), NO_PROXY);
    const second = clientAddress(await headersSeenByApp("127.0.0.2"), NO_PROXY);
    expect([first, second]).toEqual(["127.0.0.1", "127.0.0.2"]);
  });

  it("believes X-Forwarded-For only from a trusted proxy, taking the rightmost hop that is not a trusted proxy", async () => {
    const viaProxy = await headersSeenByApp("127.0.0.1", { "x-forwarded-for": "192.0.2.66, 203.0.113.9, 10.1.2.3" });
    // 192.0.2.66 is what the client claimed; 203.0.113.9 is where the proxy saw it come from.
    expect(clientAddress(viaProxy, LOCAL_PROXY)).toBe("203.0.113.9");
    // The same header over a connection from an address that is not a trusted proxy: ignored.
    const direct = await headersSeenByApp("127.0.0.3", { "x-forwarded-for": "203.0.113.9" });
    expect(clientAddress(direct, LOCAL_PROXY)).toBe("127.0.0.3");
    // A trusted proxy with nothing forwarded, or a malformed hop: its own address.
    expect(clientAddress(await headersSeenByApp("127.0.0.1"), LOCAL_PROXY)).toBe("127.0.0.1");
    expect(clientAddress(await headersSeenByApp("127.0.0.1", { "x-forwarded-for": "203.0.113.9, not-an-ip" }), LOCAL_PROXY)).toBe("127.0.0.1");
  });

  it("treats a request without a genuine stamp as unknown, never as the address it claims", () => {
    expect(clientAddress(new Headers({ "x-forwarded-for": "203.0.113.7" }), NO_PROXY)).toBeNull();
    expect(clientAddress(new Headers({ [PEER_ADDRESS_HEADER]: "0000 203.0.113.7" }), NO_PROXY)).toBeNull();
    expect(clientAddress(new Headers({ [PEER_ADDRESS_HEADER]: peerAddressStamp("::ffff:203.0.113.7") }), NO_PROXY)).toBe("203.0.113.7");
    expect(addressKey(null)).toBe("unknown");
  });

  it("keys IPv6 clients by their /64, so one client cannot rotate through its own addresses", () => {
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe("ip6:2001:db8:1:2/64");
    expect(addressKey("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe("ip6:2001:db8:1:2/64");
    expect(addressKey("2001:db8::1")).toBe("ip6:2001:db8:0:0/64");
    expect(addressKey("::1")).toBe("ip6:0:0:0:0/64");
    expect(normaliseAddress("FE80::1%eth0")).toBe("fe80::1");
    expect(normaliseAddress("proxy.internal")).toBeNull();
  });
});
