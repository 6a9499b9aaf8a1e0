/**
 * The real launcher (server/runtime/start.ts: embedded PostgreSQL, migrations, app role, worker, child supervision)
 * with a stand-in for Next.js's server, which needs a production build that does not exist yet when the unit tests
 * run in CI. Started by launcher.test.ts as `node --import tsx server/faults/launcher-stand-in.ts`.
 */
import path from "node:path";
import { runLauncher } from "../runtime/start";

runLauncher({ webServer: (env) => [path.resolve("server/faults/stand-in-web-server.mjs"), String(env.PORT)] });
