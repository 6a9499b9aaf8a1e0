import { describe, expect, it } from "vitest";
import { finishedRunsKey } from "./finished-runs";

describe("finishedRunsKey", () => {
  const earlier = { id: "r1", status: "SUCCEEDED" };

  it("changes when a run finishes, so the console refetches the confirmed cases since the last successful run", () => {
    const running = finishedRunsKey([{ id: "r2", status: "RUNNING" }, earlier]);
    expect(finishedRunsKey([{ id: "r2", status: "SUCCEEDED" }, earlier])).not.toBe(running);
    expect(finishedRunsKey([{ id: "r2", status: "FAILED" }, earlier])).not.toBe(running);
  });

  it("stays the same while a run is queued or running, so polling progress refetches nothing else", () => {
    expect(finishedRunsKey([{ id: "r2", status: "QUEUED" }, earlier])).toBe(finishedRunsKey([{ id: "r2", status: "RUNNING" }, earlier]));
    expect(finishedRunsKey(undefined)).toBeUndefined();
  });
});
