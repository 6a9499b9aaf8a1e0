/**
 * The e2e server's build step (playwright.config.ts): `npm run build`, its output passed through, failing on a
 * failed build and on the warnings issue 15 removed: Next's file-tracing warnings (run-time file access it could not
 * narrow, so it traced the whole project into the server bundle) and "Module not found". A new one fails the e2e run,
 * and with it CI, instead of scrolling past.
 */
import { spawn } from "node:child_process";

const FORBIDDEN_WARNINGS = [/traced/i, /Module not found/i];

const child = spawn("npm", ["run", "build"], { stdio: ["ignore", "pipe", "pipe"] });
let output = "";
for (const stream of [child.stdout, child.stderr]) {
  stream.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
    process.stdout.write(chunk);
  });
}
child.on("exit", (code, signal) => {
  if (code !== 0) {
    console.error(`[build-app] npm run build failed (${signal ?? `code ${code}`})`);
    process.exit(1);
  }
  const found = FORBIDDEN_WARNINGS.filter((pattern) => pattern.test(output));
  if (found.length > 0) {
    console.error(`[build-app] the build printed warnings it must not: ${found.map(String).join(", ")} (see above)`);
    process.exit(1);
  }
});
