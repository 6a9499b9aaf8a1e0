import { z } from "zod";
import { auditSearchInput, searchAudit } from "../../services/audit/search-audit";
import { createTRPCRouter, permittedProcedure } from "../init";

const auditSearchOutput = z.object({
  entries: z.array(
    z.object({
      id: z.string(),
      at: z.date(),
      action: z.string(),
      entityType: z.string(),
      entityId: z.string(),
      actor: z.object({ name: z.string(), email: z.string() }).nullable(),
      patient: z.object({ id: z.string(), mrn: z.string() }).nullable(),
      hasBefore: z.boolean(),
      hasAfter: z.boolean(),
      changes: z.array(z.object({ field: z.string(), before: z.string().nullable(), after: z.string().nullable() })),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const auditRouter = createTRPCRouter({
  search: permittedProcedure("audit:read")
    .input(auditSearchInput)
    .output(auditSearchOutput)
    .query(({ ctx, input }) => searchAudit({ db: ctx.db, input })),
});
