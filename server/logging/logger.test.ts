import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, REDACTION_CENSOR } from "./logger";

function capture(level = "debug") {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger(stream, level), lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe("the logger", () => {
  it("writes one JSON object per line with level, time, message and the fields given", () => {
    const { log, records } = capture();
    log.child({ component: "worker" }).info({ images: 3 }, "score sweep done");
    expect(records()).toEqual([expect.objectContaining({ level: "info", component: "worker", images: 3, msg: "score sweep done", time: expect.any(String) })]);
  });

  it("drops lines below its level", () => {
    const { log, lines } = capture("warn");
    log.info("routine");
    log.debug("detail");
    log.warn("attention");
    expect(lines).toHaveLength(1);
  });

  it("censors patient and staff fields at any depth up to four levels", () => {
    const { log, lines } = capture();
    log.info(
      {
        mrn: "MRN-4711",
        patient: { name: "Ada Quill", birthDate: "1941-02-03" },
        request: { body: { note: "lives on Quill Street", user: { email: "ada@x.example" } } },
      },
      "saved",
    );
    const text = lines.join("");
    for (const value of ["MRN-4711", "Ada Quill", "1941-02-03", "Quill Street", "ada@x.example"]) expect(text).not.toContain(value);
    expect(text.split(REDACTION_CENSOR)).toHaveLength(6);
  });

  it("logs an error as its kind (a tag that survives minification), code and frames: never its message or the data it carries", () => {
    const { log, lines, records } = capture();
    // As the production build leaves jose's JWTExpired: its class name minified, its code kept.
    const cause = Object.assign(new Error('"exp" claim timestamp check failed'), {
      name: "N",
      code: "ERR_JWT_EXPIRED",
      payload: { name: "Dr Ada Quill", email: "ada@x.example", sub: "user-1" },
    });
    const error = Object.assign(new Error("duplicate key (mrn)=(MRN-4711) for Ada Quill", { cause }), { code: "P2002", meta: { target: "MRN-4711" } });
    log.error({ err: error }, "request failed");
    const text = lines.join("");
    for (const value of ["MRN-4711", "Ada Quill", "ada@x.example", "user-1", "duplicate key"]) expect(text).not.toContain(value);
    expect(records()[0]).toMatchObject({ err: { type: "P2002", code: "P2002", cause: { type: "ERR_JWT_EXPIRED" }, frames: expect.arrayContaining([expect.stringMatching(/^at /)]) } });
  });
});
