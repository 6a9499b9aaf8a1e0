/** The API: one router per domain. */
import { createCallerFactory, createTRPCRouter } from "./init";
import { auditRouter } from "./routers/audit";
import { importsRouter } from "./routers/imports";
import { lesionsRouter } from "./routers/lesions";
import { modelsRouter } from "./routers/models";
import { trainingRouter } from "./routers/training";
import { outcomesRouter } from "./routers/outcomes";
import { overviewRouter } from "./routers/overview";
import { patientsRouter } from "./routers/patients";
import { reviewRouter } from "./routers/review";
import { safetyRouter } from "./routers/safety";
import { usersRouter } from "./routers/users";

export const appRouter = createTRPCRouter({
  users: usersRouter,
  overview: overviewRouter,
  patients: patientsRouter,
  lesions: lesionsRouter,
  audit: auditRouter,
  imports: importsRouter,
  review: reviewRouter,
  models: modelsRouter,
  training: trainingRouter,
  outcomes: outcomesRouter,
  safety: safetyRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
