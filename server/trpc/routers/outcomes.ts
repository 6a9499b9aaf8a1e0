import { getOutcomesDashboard } from "../../services/outcomes/get-outcomes-dashboard";
import { outcomesDashboardSchema } from "../../services/outcomes/schemas";
import { outcomesQueryInput } from "../../services/outcomes/scope";
import { createTRPCRouter, permittedProcedure } from "../init";

/** The outcomes dashboard: thin; the rules live in server/services/outcomes. */
export const outcomesRouter = createTRPCRouter({
  dashboard: permittedProcedure("outcomes:read")
    .input(outcomesQueryInput)
    .output(outcomesDashboardSchema)
    .query(({ ctx, input }) => getOutcomesDashboard({ db: ctx.db, query: input })),
});
