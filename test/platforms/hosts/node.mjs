// Node ESM host: `node node.mjs <module specifier> [simd]`, the conformance bundle on stdin, the
// result as JSON on stdout. The specifier is "rnn-wasm" (the package resolves itself through its
// exports map, "import" condition) or a file URL.
import { text } from "node:stream/consumers";
import { parseBundle, runConformance } from "../conformance-run.mjs";

const api = await import(process.argv[2]);
const result = await runConformance(api, parseBundle(await text(process.stdin)), { simd: process.argv[3] });
process.stdout.write(JSON.stringify(result));
