/** A minimal web server in Next.js's place (launcher-stand-in.ts): listens on the given port, stops on SIGTERM. */
import http from "node:http";

const server = http.createServer((_request, response) => response.end("stand-in"));
server.listen(Number(process.argv[2]), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
