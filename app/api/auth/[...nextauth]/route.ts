import type { NextRequest } from "next/server";
import { handlers } from "@/server/auth";
import { withOriginFromHeaders } from "@/server/auth/request-origin";

/** Auth.js's endpoints, at the origin the request's headers name (server/auth/request-origin.ts says why). */
export const GET = (request: NextRequest) => handlers.GET(withOriginFromHeaders(request));
export const POST = (request: NextRequest) => handlers.POST(withOriginFromHeaders(request));
