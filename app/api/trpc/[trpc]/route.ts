import { createTrpcHandler } from "@/server/http/trpc-handler";
import { createRequestContext } from "@/server/trpc/context";

/** Body cap, cross-origin refusal and no-store answers: see server/http/trpc-handler.ts. */
const handler = createTrpcHandler({ createContext: createRequestContext });

export { handler as GET, handler as POST };
