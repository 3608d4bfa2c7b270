// Builds the package: the kernels (scripts/build-wasm.mjs), then the JavaScript bundles with
// esbuild and the type declarations with tsc, into dist/. Run by `npm run build`.
import { execFileSync } from "node:child_process";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

run(process.execPath, ["scripts/build-wasm.mjs"]);
await rm(`${root}dist`, { recursive: true, force: true });

const common = {
  absWorkingDir: root,
  bundle: true,
  target: "es2022",
  platform: "neutral",
  legalComments: "none",
  // Only reached for file: URLs in Node and Deno (src/runtime/module-source.ts).
  external: ["node:*"],
  logLevel: "warning",
};
await esbuild.build({ ...common, entryPoints: { index: "src/index.ts" }, format: "esm", outdir: "dist", outExtension: { ".js": ".js" } });
await esbuild.build({ ...common, entryPoints: { index: "src/index.ts" }, format: "cjs", outdir: "dist", outExtension: { ".js": ".cjs" } });

// Declarations mirror src/ under dist/types; runtime/kernels.d.ts refers to the kernel types
// asc generated, which therefore ship as dist/build/kernels.d.ts.
run(process.execPath, [fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url)), "-p", "tsconfig.build.json"]);
await mkdir(`${root}dist/build`, { recursive: true });
await copyFile(`${root}build/kernels.d.ts`, `${root}dist/build/kernels.d.ts`);
console.log("dist/: index.js (ESM), index.cjs (CommonJS), types/");
