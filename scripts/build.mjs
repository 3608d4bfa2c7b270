// Builds the package: the kernels (scripts/build-wasm.mjs), then the JavaScript bundles with
// esbuild and the type declarations with tsc, into dist/. Run by `npm run build`.
//   dist/index.js    ESM for Node and Deno (kernels embedded as base64; file: URLs via node:fs)
//   dist/cjs/        CommonJS for Node's require(): index.cjs and its declarations
//   dist/browser.js  ESM for browsers and their bundlers (no node: import anywhere)
//   dist/workerd.js  ESM for Cloudflare workerd: imports ./kernels.wasm as a module (no bytes)
//   dist/chunks/     the relaxed-SIMD kernels, loaded by the ESM bundles only when asked for
//   dist/kernels.wasm, dist/kernels-relaxed.wasm, dist/types/ (declarations)
//   dist/onnx.js, safetensors.js, keras.js (+ browser-*.js): the importers, ESM only, sharing
//     the core's chunk so that a model they load is the core's Model on the core's runtime
//   dist/cli.js      the `rnn-wasm` command (Node)
// The platform differences live in src/runtime/platform*.ts: each bundle gets its own file
// through the `platform` plugin below; nothing sniffs globals at run time.
import { execFileSync } from "node:child_process";
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

run(process.execPath, ["scripts/build-wasm.mjs"]);
await rm(`${root}dist`, { recursive: true, force: true });

/** Entry points: the core, and the importers as subpaths of their own (rnn-wasm/onnx, …). */
const entries = { index: "src/index.ts" };
const importers = {
  onnx: "src/import/onnx/index.ts",
  safetensors: "src/import/safetensors/index.ts",
  keras: "src/import/keras/index.ts",
};
const browserImporters = Object.fromEntries(Object.entries(importers).map(([k, v]) => [`browser-${k}`, v]));

/** Resolves `./platform.js` to `platform.<target>.ts`; in workerd, .wasm imports stay imports. */
const platform = (target) => ({
  name: "platform",
  setup(build) {
    if (target) {
      // src/runtime/platform.js, however it is imported (the importers reach it as ../../runtime/…).
      build.onResolve({ filter: /(^|\/)platform\.js$/ }, (args) => {
        const dir = join(args.resolveDir, dirname(args.path));
        return dir.endsWith(join("src", "runtime")) ? { path: join(dir, `platform.${target}.ts`) } : undefined;
      });
    }
    // The Worker's module graph holds the .wasm files; esbuild must not inline or load them.
    build.onResolve({ filter: /\.wasm$/ }, (args) => ({ path: `./${args.path.split("/").pop()}`, external: true }));
  },
});

const common = {
  absWorkingDir: root,
  bundle: true,
  target: "es2022",
  platform: "neutral",
  legalComments: "none",
  // Whitespace and syntax only: identifiers stay, so stack traces and error class names read as
  // in src/ (the kernels' base64 dominates the size; renaming would save ≈ 1 KB gzip).
  minifyWhitespace: true,
  minifySyntax: true,
  // node:* is only reached for file: URLs in Node and Deno (src/runtime/platform.ts);
  // protobufjs is the ONNX importer's one dependency, installed with the package.
  external: ["node:*", "protobufjs", "protobufjs/*"],
  logLevel: "warning",
};
// Types reach Deno through the exports map ("deno" → types), not a @ts-self-types directive:
// Deno resolves the declarations' "./x.js" imports to .d.ts files only inside npm packages.
const esm = { ...common, format: "esm", splitting: true, outdir: "dist", chunkNames: "chunks/[name]-[hash]" };
await esbuild.build({ ...esm, entryPoints: { ...entries, ...importers }, plugins: [platform()] });
await esbuild.build({ ...esm, entryPoints: { browser: entries.index, ...browserImporters }, plugins: [platform("browser")] });
await esbuild.build({ ...esm, entryPoints: { workerd: entries.index }, splitting: false, plugins: [platform("workerd")] });
await esbuild.build({ ...common, entryPoints: entries, format: "cjs", outdir: "dist/cjs", outExtension: { ".js": ".cjs" }, plugins: [platform()] });
// The CLI: one file for Node, everything but protobufjs inside.
const { version } = JSON.parse(await readFile(`${root}package.json`, "utf8"));
await esbuild.build({
  ...common, entryPoints: { cli: "src/cli/bin.ts" }, platform: "node", format: "esm", outdir: "dist",
  define: { RNN_WASM_VERSION: JSON.stringify(version) }, plugins: [platform()],
});
for (const name of ["kernels", "kernels-relaxed"]) await cp(`${root}build/${name}.wasm`, `${root}dist/${name}.wasm`);
// The workloads of issue 7 for bench/ (never shipped): the same table and weights as the CLI's.
await esbuild.build({ ...common, entryPoints: { workloads: "src/cli/workloads.ts" }, format: "esm", outdir: "build" });

// Declarations mirror src/ under dist/types; runtime/kernels.d.ts refers to the kernel types
// asc generated, which therefore ship as dist/build/kernels.d.ts. dist/cjs/ gets the same
// files under a {"type": "commonjs"} package.json, so that TypeScript reads them as CommonJS
// declarations for require() (in this "type": "module" package, dist/types are ESM ones).
run(process.execPath, [fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url)), "-p", "tsconfig.build.json"]);
for (const dir of ["dist", "dist/cjs"]) await cp(`${root}build/kernels.d.ts`, `${root}${dir}/build/kernels.d.ts`);
await cp(`${root}dist/types`, `${root}dist/cjs/types`, { recursive: true });
await writeFile(`${root}dist/cjs/package.json`, `${JSON.stringify({ type: "commonjs" })}\n`);

// The core a browser downloads by default: its bundle plus nothing else (kernels embedded).
const gz = async (f) => gzipSync(await readFile(`${root}dist/${f}`), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(
  `dist/: index.js, browser.js, workerd.js (+ kernels.wasm), cjs/index.cjs, types/; ` +
    `gzip: browser.js ${kb(await gz("browser.js"))}, workerd.js ${kb(await gz("workerd.js"))} + kernels.wasm ${kb(await gz("kernels.wasm"))}`,
);
