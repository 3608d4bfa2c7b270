// The npm tarball: it holds what users need and nothing else, and it installs into an empty
// folder (offline: the core has no dependencies) and runs there from Node ESM, Node CommonJS and
// Deno, with types that TypeScript resolves for import and for require.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as src from "../../src/index.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const deno = join(root, "node_modules/.bin/deno");
const tsc = join(root, "node_modules/typescript/bin/tsc");

/** Runs a command, returns its stdout; a failure shows what it printed. */
function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}

/** Files of the package as `npm pack` would ship them (scripts off: `npm test` built dist/). */
function packedFiles(): string[] {
  const [info] = JSON.parse(run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], root)) as [{ files: { path: string }[] }];
  return info.files.map((f) => f.path).sort();
}

describe("npm pack", () => {
  it("ships only dist/ (bundles, .wasm, declarations, the CLI), the embedded model, the README and package.json", () => {
    const files = packedFiles();
    const allowed = new RegExp(
      "^(package\\.json|README\\.md|LICENSE|models/(char-lstm\\.(json|safetensors)|MODEL-CARD\\.md)|dist/(" +
        "(index|browser|workerd|cli|(browser-)?(onnx|safetensors|keras))\\.js|kernels(-relaxed)?\\.wasm|chunks/[\\w-]+\\.js|" +
        "(cjs/)?(build/kernels\\.d\\.ts|types/[\\w/.-]+\\.d\\.ts)|cjs/(index\\.cjs|package\\.json)))$",
    );
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    for (const f of ["package.json", "README.md", "dist/index.js", "dist/browser.js", "dist/workerd.js", "dist/kernels.wasm", "dist/kernels-relaxed.wasm",
      "dist/types/index.d.ts", "dist/build/kernels.d.ts", "dist/cjs/index.cjs", "dist/cjs/package.json", "dist/cjs/types/index.d.ts", "dist/cjs/build/kernels.d.ts"]) {
      expect(files).toContain(f);
    }
    for (const f of ["dist/cli.js", "dist/onnx.js", "dist/safetensors.js", "dist/keras.js", "models/char-lstm.json", "models/char-lstm.safetensors"]) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /^dist\/chunks\/kernels-relaxed-embedded-/.test(f))).toHaveLength(1);
  });
});

describe("the tarball in an empty folder", () => {
  let dir: string;
  let app: string;
  const spec = { cell: "lstm", inputSize: 2, hiddenSize: 3, W: [0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, 0.8, -0.9, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, -0.1, 0.2, 0.3, 0.1, 0.2, 0.3], R: Array.from({ length: 36 }, (_, i) => ((i % 7) - 3) / 10) };
  const x = "{ data: new Float32Array([1, 2, 3, 4, 5, 6]), dims: [3, 1, 2] }";
  const layer = `{ ...${JSON.stringify(spec)}, W: new Float32Array(${JSON.stringify(spec.W)}), R: new Float32Array(${JSON.stringify(spec.R)}) }`;
  let want: number[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rnn-wasm-pack-"));
    app = join(dir, "app");
    mkdirSync(app);
    const tarball = run("npm", ["pack", "--ignore-scripts", "--pack-destination", dir], root).trim().split("\n").pop()!;
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
    run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", join(dir, tarball)], app);
    const l = await src.createLayer({ ...spec, cell: "lstm", W: new Float32Array(spec.W), R: new Float32Array(spec.R) });
    want = Array.from((await l.run({ data: new Float32Array([1, 2, 3, 4, 5, 6]), dims: [3, 1, 2] })).Y.data);
    l.dispose();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const output = (stdout: string) => JSON.parse(stdout.trim().split("\n").pop()!) as number[];

  it("runs from Node as ESM (import)", () => {
    writeFileSync(join(app, "esm.mjs"), [
      `import { createLayer } from "rnn-wasm";`,
      `const lstm = await createLayer(${layer});`,
      `console.log(JSON.stringify(Array.from((await lstm.run(${x})).Y.data)));`,
    ].join("\n"));
    expect(output(run(process.execPath, ["esm.mjs"], app))).toEqual(want);
  });

  it("runs from Node as CommonJS (require)", () => {
    writeFileSync(join(app, "cjs.cjs"), [
      `const { createLayer } = require("rnn-wasm");`,
      `createLayer(${layer}).then((lstm) => lstm.run(${x}))`,
      `  .then(({ Y }) => console.log(JSON.stringify(Array.from(Y.data))));`,
    ].join("\n"));
    expect(output(run(process.execPath, ["cjs.cjs"], app))).toEqual(want);
  });

  it("runs from Deno through node_modules (the \"deno\" condition), with types", () => {
    writeFileSync(join(app, "main.ts"), [
      `import { createLayer, type Tensor } from "rnn-wasm";`,
      `const lstm = await createLayer(${layer});`,
      `const Y: Tensor = (await lstm.run(${x})).Y;`,
      `console.log(JSON.stringify(Array.from(Y.data)));`,
    ].join("\n"));
    run(deno, ["check", "main.ts"], app);
    expect(output(run(deno, ["run", "--no-prompt", "main.ts"], app))).toEqual(want);
  });

  it("has TypeScript types for import and for require (module node16)", () => {
    writeFileSync(join(app, "tsconfig.json"), JSON.stringify({
      compilerOptions: { module: "node16", moduleResolution: "node16", target: "es2022", lib: ["es2022", "dom"], strict: true, noEmit: true, types: [] },
      files: ["esm.mts", "cjs.cts"],
    }));
    writeFileSync(join(app, "esm.mts"), `import { createLayer, type Runtime } from "rnn-wasm";\nexport const f: typeof createLayer = createLayer;\nexport type R = Runtime["build"];\n`);
    writeFileSync(join(app, "cjs.cts"), `import rnn = require("rnn-wasm");\nexport const f: typeof rnn.createLayer = rnn.createLayer;\nexport const e = new rnn.ShapeError("x").code;\n`);
    run(process.execPath, [tsc, "-p", "."], app);
  });
});
