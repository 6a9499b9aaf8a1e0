import { describe, expect, it } from "vitest";
import { DecodeBusyError, DecodeLimiter } from "./decode-limiter";

/** A decode that ends when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, decode: () => opened };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("DecodeLimiter", () => {
  it("admits up to maxPerUser per user and maxAdmitted in all, then refuses with the scope; release frees the place", () => {
    const limiter = new DecodeLimiter({ maxConcurrent: 1, maxPerUser: 2, maxAdmitted: 3 });
    const a1 = limiter.admit("a");
    limiter.admit("a");
    expect(() => limiter.admit("a")).toThrow(expect.objectContaining({ scope: "user" }) as DecodeBusyError);
    limiter.admit("b");
    expect(() => limiter.admit("c")).toThrow(expect.objectContaining({ scope: "server" }) as DecodeBusyError);
    a1.release();
    a1.release(); // idempotent
    expect(() => limiter.admit("c")).not.toThrow();
    expect(limiter.usage.admitted).toBe(3);
  });

  it("lets users take turns: a freed slot goes to the waiting user with the fewest decodes running, then the one served longest ago", async () => {
    const limiter = new DecodeLimiter({ maxConcurrent: 1, maxPerUser: 5, maxAdmitted: 10 });
    const order: string[] = [];
    const gates = [gate(), gate(), gate(), gate()];
    const run = (user: string, index: number) =>
      limiter.admit(user).run(async () => {
        order.push(`${user}${index}`);
        await gates[index]!.decode();
      });
    const runs = [run("a", 0), run("a", 1), run("a", 2)];
    await tick();
    runs.push(run("b", 3)); // arrives last, while a0 runs and a1, a2 wait
    await tick();
    expect(order).toEqual(["a0"]);
    expect(limiter.usage).toMatchObject({ running: 1, waiting: 3 });
    gates[0]!.open();
    await tick();
    expect(order).toEqual(["a0", "b3"]);
    gates.forEach((g) => g.open());
    await Promise.all(runs);
    expect(order).toEqual(["a0", "b3", "a1", "a2"]);
    expect(limiter.usage).toEqual({ admitted: 4, running: 0, waiting: 0 }); // admitted until each request releases its ticket
  });
});
