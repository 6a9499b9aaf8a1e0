/** What each procedure answers, as its `.output()` schema states it: pages type their data with these, never casts. */
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

export type RouterOutputs = inferRouterOutputs<AppRouter>;
