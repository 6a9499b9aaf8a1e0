import { withSessionGate } from "@/server/auth/route-gate";
import { createTrpcHandler } from "@/server/http/trpc-handler";
import { createRequestContext } from "@/server/trpc/context";

/**
 * Body cap, cross-origin refusal and no-store answers: see server/http/trpc-handler.ts. Not behind proxy.ts (which
 * would hold the whole body first): the sign-in gate runs here (server/auth/route-gate.ts).
 */
const handler = withSessionGate(createTrpcHandler({ createContext: createRequestContext }));

export { handler as GET, handler as POST };
