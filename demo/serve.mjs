// `npm run demo`: serves the browser demo (demo/), the built package (dist/) and the embedded
// model (models/) from 127.0.0.1. Nothing is fetched from the network: the page works offline.
// Also used by test/demo/demo.test.ts (startDemoServer).
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json", ".css": "text/css", ".wasm": "application/wasm", ".safetensors": "application/octet-stream",
};
const SERVED = ["demo/", "dist/", "models/"];

export function startDemoServer(port = 0) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^\/+/, "");
    if (path === "" || path === "." || path === "demo") {
      res.writeHead(302, { location: "/demo/" }).end();
      return;
    }
    const file = path.endsWith("/") ? `${path}index.html` : path;
    if (!SERVED.some((p) => file.startsWith(p)) || file.includes("..")) {
      res.writeHead(404).end("not found");
      return;
    }
    try {
      const body = await readFile(join(root, file));
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" }).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", () => {
      const { port: p } = server.address();
      resolve({ url: `http://127.0.0.1:${p}/`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { url } = await startDemoServer(Number(process.env.PORT ?? 8080));
  console.log(`rnn-wasm demo: ${url}  (Ctrl+C stops it)`);
}
