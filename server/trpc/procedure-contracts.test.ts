/**
 * Every procedure states its contract in zod: its input (where it takes one) and its output. The output parser is
 * what keeps an unparsed JSON column, a whole evaluation report or a password hash from reaching the browser
 * unnoticed, and what gives pages their inferred types. A procedure added without one fails here.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createTRPCRouter, publicProcedure } from "./init";
import { appRouter } from "./root";

interface ProcedureDef {
  type?: unknown;
  inputs?: unknown[];
  output?: unknown;
}

/** Procedures (by dotted path) whose output is not a zod schema, or one of whose inputs is not. */
function proceduresWithoutZodContract(router: { _def: { procedures: Record<string, unknown> } }): string[] {
  return Object.entries(router._def.procedures).flatMap(([path, procedure]) => {
    const def = (procedure as { _def?: ProcedureDef })._def;
    const typed = (parser: unknown) => parser instanceof z.ZodType;
    return def && typed(def.output) && (def.inputs ?? []).every(typed) ? [] : [path];
  });
}

describe("procedure contracts", () => {
  it("every procedure of the API validates its output (and any input) with zod", () => {
    const paths = Object.keys(appRouter._def.procedures);
    // tRPC's router definition lists every procedure flat, by path: a change there must not make this pass vacuously.
    expect(paths.length).toBeGreaterThan(40);
    expect(paths).toContain("models.list");
    expect(proceduresWithoutZodContract(appRouter)).toEqual([]);
  });

  it("names a procedure that has no output parser, or a non-zod input", () => {
    const router = createTRPCRouter({
      typed: publicProcedure.input(z.object({ id: z.string() })).output(z.string()).query(({ input }) => input.id),
      untyped: publicProcedure.query(() => "anything"),
      nested: createTRPCRouter({
        foreignInput: publicProcedure
          .input((value: unknown) => value as { id: string })
          .output(z.string())
          .query(({ input }) => input.id),
      }),
    });
    expect(proceduresWithoutZodContract(router).sort()).toEqual(["nested.foreignInput", "untyped"]);
  });
});
