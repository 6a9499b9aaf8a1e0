/**
 * A real OpenID Connect provider on loopback for tests (the certified `oidc-provider` package, with its own
 * development login and consent pages: any password is accepted, the login name picks the account). Used by the
 * Auth.js integration test (server/auth/oidc-sign-in.test.ts) and the browser e2e (e2e/oidc.spec.ts).
 */
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export interface TestOidcAccount {
  email: string;
  email_verified?: boolean;
  name: string;
  groups?: string[];
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
}

export const TEST_OIDC_CLIENT = { clientId: "dermflag", clientSecret: "dermflag-test-client-secret-0123456789" };

/**
 * `accounts`: login name (also the subject) -> claims; an unknown login name signs in as an account
 * whose email is <login>@hospital.example. `port` 0: any free port.
 */
export async function startTestOidcProvider(options: {
  port: number;
  redirectUris: string[];
  accounts?: Record<string, TestOidcAccount>;
}): Promise<TestOidcProvider> {
  const claimsOf = (login: string): TestOidcAccount =>
    options.accounts?.[login] ?? { email: `${login}@hospital.example`, email_verified: true, name: login };
  // The issuer names the port, so with port 0 the server is bound first and the provider mounted after.
  const mounted: { handler?: RequestListener } = {};
  const server: Server = createServer((request, response) => mounted.handler?.(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", resolve);
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: TEST_OIDC_CLIENT.clientId,
        client_secret: TEST_OIDC_CLIENT.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    // Every claim of the granted scopes in the ID token (Auth.js reads the ID token, not the userinfo endpoint).
    conformIdTokenClaims: false,
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "groups"] },
    pkce: { required: () => true },
    // Set, so that the provider does not print a notice for each default it falls back on.
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    // The development login page makes the typed login name the subject.
    async findAccount(_context, sub) {
      return { accountId: sub, claims: async () => ({ sub, ...claimsOf(sub) }) };
    },
    features: { devInteractions: { enabled: true } },
  });
  // A refused request is said on stderr (a test then fails on the app's side with only "Configuration").
  for (const event of ["authorization.error", "grant.error", "server_error"]) {
    provider.on(event, (_context: unknown, error: { message?: string; error_description?: string }) => {
      console.error(`[test OpenID provider] ${event}: ${error.message ?? ""} ${error.error_description ?? ""}`);
    });
  }
  const callback = provider.callback();
  mounted.handler = (request, response) => {
    void callback(request, response);
  };
  return {
    issuer,
    ...TEST_OIDC_CLIENT,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
