/**
 * The little of oidc-provider's API the test provider uses (server/testing/oidc-provider.ts); the package ships no
 * types, and the test needs no more than this.
 */
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  interface Account {
    accountId: string;
    claims(): Promise<Record<string, unknown>>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown> & {
      findAccount?: (context: unknown, sub: string) => Promise<Account | undefined>;
    });
    callback(): (request: IncomingMessage, response: ServerResponse) => Promise<void> | void;
    on(event: string, listener: (context: unknown, error: { message?: string; error_description?: string }) => void): void;
  }
}
