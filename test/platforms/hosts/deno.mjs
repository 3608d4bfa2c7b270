// Deno host: `deno run deno.mjs [simd]`, the bundle on stdin, the result as JSON on stdout.
// The default kernels need no permission at all (static imports, data on stdin); the relaxed
// ones are a chunk that dist/index.js imports dynamically, which needs --allow-read of dist/.
import * as api from "../../../dist/index.js";
import { parseBundle, runConformance } from "../conformance-run.mjs";

const input = await new Response(Deno.stdin.readable).text();
const result = await runConformance(api, parseBundle(input), { simd: Deno.args[0] });
console.log(JSON.stringify(result));
