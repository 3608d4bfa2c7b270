// Node CommonJS host: like node.mjs, but the package comes from require() ("require" condition).
const { text } = require("node:stream/consumers");

(async () => {
  const api = require(process.argv[2]);
  const { parseBundle, runConformance } = await import("../conformance-run.mjs");
  const result = await runConformance(api, parseBundle(await text(process.stdin)), { simd: process.argv[3] });
  process.stdout.write(JSON.stringify(result));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
