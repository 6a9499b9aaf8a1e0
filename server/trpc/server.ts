/**
 * tRPC for server components: the same procedures (and the same access checks) as the HTTP API, called in-process.
 */
import "server-only";
import { cache } from "react";
import { currentUser } from "../auth/session";
import { getDb } from "../db/client";
import { createCaller } from "./root";

export const serverApi = cache(async () => createCaller({ db: getDb(), user: await currentUser() }));
