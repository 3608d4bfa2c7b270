// One package, every runtime: Node ESM, Node CommonJS, Deno, Chromium and Cloudflare workerd each
// load the BUILT package (dist/, made by `npm test`'s build step) the way a user would, run the
// same conformance set (conformance.ts, conformance-run.mjs), and report its SHA-256 digest.
// With the default (plain SIMD) kernels every digest must be equal: bit-identical outputs.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { chromium } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import * as src from "../../src/index.js";
import { conformanceBundle, conformanceCases, TORCH_CASES } from "./conformance.js";
import { type ConformanceResult, type ThreadsResult, parseBundle, runConformance } from "./conformance-run.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const hosts = join(root, "test/platforms/hosts");
const deno = join(root, "node_modules/.bin/deno");
const DENO_ENV = { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
/** Debian's chromium (scripts/ensure-chromium.sh installs it when missing). */
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

let bundle: string;
const digests = new Map<string, string>();
/** Per runtime: threads the 2-thread runtime had, and the digests of the threads check on 1 and 2 threads. */
const threadRuns = new Map<string, ThreadsResult>();
/** Digests of the relaxed-SIMD runs: FMA rounds once, so they must differ from the default's. */
const relaxedDigests = new Map<string, string>();

beforeAll(() => {
  bundle = conformanceBundle();
  mkdirSync(join(root, "test/.out"), { recursive: true });
  writeFileSync(join(root, "test/.out/conformance.json"), bundle); // to rerun a runtime by hand
});

/** Runs `cmd args` with `input` on stdin; resolves with stdout parsed as JSON, and stderr. */
function spawnJson(cmd: string, args: string[], input: string, env: NodeJS.ProcessEnv = {}): Promise<{ result: ConformanceResult; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.stdin.on("error", () => {}); // a child that fails early closes stdin: its exit code tells
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}:\n${stderr}`));
      try {
        resolve({ result: JSON.parse(stdout) as ConformanceResult, stderr });
      } catch {
        reject(new Error(`${cmd} printed no JSON:\n${stdout}\n${stderr}`));
      }
    });
    child.stdin.end(input);
  });
}

/** Every case within 1e-5 + 1e-4·|reference| of its reference; names the ones that are not. */
function expectConformant(r: ConformanceResult, build: ConformanceResult["build"] = "simd", where?: string): void {
  if (where && r.threads) threadRuns.set(where, r.threads);
  expect(r.cases.filter((c) => !c.ok).map((c) => `${c.name}: max abs error ${c.maxAbsError} (${c.worst.toFixed(2)}× tolerance)`)).toEqual([]);
  expect(r.cases.length).toBe(conformanceCases().length);
  expect(r.build).toBe(build);
  expect(r.digest).toMatch(/^[0-9a-f]{64}$/);
}

describe("conformance set", () => {
  it("covers ONNX's backend tests, stacked, bidirectional, packed PyTorch fixtures, every ONNX knob, streams and a model", () => {
    const cases = conformanceCases();
    expect(cases.filter((c) => c.name.startsWith("onnx/")).length).toBe(12);
    expect(cases.filter((c) => c.kind === "torch").length).toBe(TORCH_CASES.length);
    expect(new Set(cases.map((c) => c.kind))).toEqual(new Set(["torch", "layer", "stream", "model"]));
  });

  it("the sources pass it in this process (the bundle's references are right)", async () => {
    const r = await runConformance(src, parseBundle(bundle));
    expectConformant(r, "simd", "sources");
    digests.set("sources", r.digest);
  });
});

describe("the built package in each runtime", () => {
  it("Node ESM: import \"rnn-wasm\" (exports → dist/index.js)", async () => {
    const { result } = await spawnJson(process.execPath, [join(hosts, "node.mjs"), "rnn-wasm"], bundle);
    expectConformant(result, "simd", "node-esm");
    digests.set("node-esm", result.digest);
  });

  it("Node CommonJS: require(\"rnn-wasm\") (exports → dist/cjs/index.cjs)", async () => {
    const { result } = await spawnJson(process.execPath, [join(hosts, "node.cjs"), "rnn-wasm"], bundle);
    expectConformant(result, "simd", "node-cjs");
    digests.set("node-cjs", result.digest);
  });

  it("Deno: dist/index.js, no permissions at all", async () => {
    const { result } = await spawnJson(deno, ["run", "--no-prompt", join(hosts, "deno.mjs")], bundle, DENO_ENV);
    expectConformant(result, "simd", "deno");
    digests.set("deno", result.digest);
  });

  it("Chromium headless: dist/browser.js in a page served from 127.0.0.1", async () => {
    const { result, relaxed, notIsolated } = await inChromium(bundle);
    expect(notIsolated.threads).toEqual([1, 1, 1, 1]);
    expect(notIsolated.notices.filter((m) => m.includes("rnn-wasm: running on one thread"))).toHaveLength(1);
    expect(notIsolated.notices.join("\n")).toContain("Cross-Origin-Embedder-Policy");
    expectConformant(result, "simd", "chromium");
    digests.set("chromium", result.digest);
    // Chromium has relaxed SIMD: the opt-in gets the FMA kernels, still within tolerance.
    expectConformant(relaxed, "relaxed-simd");
    relaxedDigests.set("chromium", relaxed.digest);
  });

  it("Cloudflare workerd (miniflare): dist/workerd.js with the kernels as .wasm modules", async () => {
    const mf = workerdWith();
    try {
      const lstm = await mf.dispatchFetch("http://localhost/");
      expect(lstm.status).toBe(200);
      const { dims, data } = (await lstm.json()) as { dims: number[]; data: number[] };
      expect(dims).toEqual([5, 1, 1, 4]);
      expect(Float32Array.from(data)).toEqual(await exampleLstm());

      const res = await mf.dispatchFetch("http://localhost/conformance", { method: "POST", body: bundle });
      const result = (await res.json()) as ConformanceResult & { compileFromBytes: string };
      // workerd refuses to compile from bytes, so the kernels can only have come from the modules.
      expect(result.compileFromBytes).toMatch(/^refused: .*code generation disallowed/i);
      expectConformant(result, "simd", "workerd");
      digests.set("workerd", result.digest);

      const relaxed = (await (await mf.dispatchFetch("http://localhost/conformance?simd=relaxed-only", { method: "POST", body: bundle })).json()) as ConformanceResult;
      expectConformant(relaxed, "relaxed-simd");
      relaxedDigests.set("workerd", relaxed.digest);
    } finally {
      await mf.dispose();
    }
  });

  it("every runtime computes bit-identical outputs (equal digests)", () => {
    expect([...digests.keys()].sort()).toEqual(["chromium", "deno", "node-cjs", "node-esm", "sources", "workerd"]);
    expect(new Set(digests.values()).size).toBe(1);
    console.info(`conformance digest (plain SIMD) in ${[...digests.keys()].join(", ")}: ${digests.get("sources")}`);
  });
});

describe("threads", () => {
  it("Node, Deno and Chromium (cross-origin isolated) run 2 threads; workerd has one", () => {
    expect([...threadRuns.keys()].sort()).toEqual(["chromium", "deno", "node-cjs", "node-esm", "sources", "workerd"]);
    const ready = Object.fromEntries([...threadRuns].map(([k, r]) => [k, r.ready]));
    expect(ready).toEqual({ sources: 2, "node-esm": 2, "node-cjs": 2, deno: 2, chromium: 2, workerd: 1 });
  });

  it("2 threads give the same bits as 1, in every runtime", () => {
    const all = new Set([...threadRuns.values()].flatMap((r) => r.digests));
    expect(all.size).toBe(1);
  });
});

describe("relaxed SIMD (opt-in)", () => {
  it("Deno has it: simd \"relaxed-only\" runs the FMA kernels within tolerance", async () => {
    // The relaxed kernels are a chunk dist/index.js imports on demand: Deno asks for read access.
    const args = ["run", "--no-prompt", `--allow-read=${join(root, "dist")}`, join(hosts, "deno.mjs"), "relaxed-only"];
    const { result } = await spawnJson(deno, args, bundle, DENO_ENV);
    expectConformant(result, "relaxed-simd");
    relaxedDigests.set("deno", result.digest);
  });

  it("Node 20 has it only behind a flag: \"relaxed\" falls back with one warning, the flag enables it", async () => {
    const fallback = await spawnJson(process.execPath, [join(hosts, "node.mjs"), "rnn-wasm", "relaxed"], bundle);
    const hasRelaxed = WebAssembly.validate((await import("../../src/runtime/features.js")).PROBES.relaxedSimd);
    if (!hasRelaxed) {
      expectConformant(fallback.result, "simd");
      expect(fallback.result.digest).toBe(digests.get("sources"));
      expect(fallback.stderr.match(/rnn-wasm: simd: "relaxed"/g)).toHaveLength(1);
      expect(fallback.stderr).toContain("--experimental-wasm-relaxed-simd");
    }
    const flagged = await spawnJson(process.execPath, ["--experimental-wasm-relaxed-simd", join(hosts, "node.cjs"), "rnn-wasm", "relaxed-only"], bundle);
    expectConformant(flagged.result, "relaxed-simd");
    relaxedDigests.set("node --experimental-wasm-relaxed-simd", flagged.result.digest);
  });

  it("the relaxed kernels really fuse: their digests differ from the default build's", () => {
    expect(relaxedDigests.size).toBe(4);
    for (const d of relaxedDigests.values()) expect(d).not.toBe(digests.get("sources"));
    console.info(`relaxed-SIMD digests: ${[...relaxedDigests].map(([k, d]) => `${k} ${d.slice(0, 16)}…`).join(", ")}`);
  });
});

/** The LSTM the Worker answers GET / with, computed here by the sources. */
async function exampleLstm(): Promise<Float32Array> {
  const w = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k) / 2);
  const lstm = await src.createLayer({ cell: "lstm", inputSize: 3, hiddenSize: 4, W: w(48, 1.3), R: w(64, 0.7), B: w(32, 0.3) });
  const { Y } = await lstm.run({ data: w(15, 2.1), dims: [5, 1, 3] });
  lstm.dispose();
  return Y.data;
}

/**
 * A Worker as wrangler would deploy it: the test Worker, the package's workerd build as the
 * module "rnn-wasm", and its two .wasm files as CompiledWasm modules beside it.
 */
function workerdWith(): Miniflare {
  const file = (p: string) => readFileSync(join(root, p));
  return new Miniflare({
    modulesRoot: root,
    modules: [
      { type: "ESModule", path: join(root, "worker.mjs"), contents: file("test/platforms/hosts/worker.mjs") },
      { type: "ESModule", path: join(root, "conformance-run.mjs"), contents: file("test/platforms/conformance-run.mjs") },
      { type: "ESModule", path: join(root, "rnn-wasm"), contents: file("dist/workerd.js") },
      { type: "CompiledWasm", path: join(root, "kernels.wasm"), contents: file("dist/kernels.wasm") },
      { type: "CompiledWasm", path: join(root, "kernels-relaxed.wasm"), contents: file("dist/kernels-relaxed.wasm") },
    ],
    compatibilityDate: "2025-09-01",
  });
}

/** Flags for headless Chromium in a sandboxed CI container (playwright adds --headless and a fresh profile). */
const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync",
];

const TYPES: Record<string, string> = { ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json", ".wasm": "application/wasm" };

/** Serves dist/, the runner and the bundle on 127.0.0.1 (a secure context: crypto.subtle works). */
function serve(bundleText: string): Promise<{ server: Server; origin: string }> {
  const files: Record<string, () => Buffer | string> = {
    "/": () => "<!doctype html><title>rnn-wasm</title>",
    "/conformance.json": () => bundleText,
    "/conformance-run.mjs": () => readFileSync(join(root, "test/platforms/conformance-run.mjs")),
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/not-isolated") return res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>rnn-wasm</title>");
    let body: Buffer | string | undefined;
    try {
      body = files[path]?.() ?? (/^\/dist\/[\w./-]+$/.test(path) && !path.includes("..") ? readFileSync(join(root, path)) : undefined);
    } catch {
      body = undefined;
    }
    if (body === undefined) return res.writeHead(404).end();
    // Cross-origin isolated (COOP + COEP), as a page must be to have SharedArrayBuffer and so threads.
    res.writeHead(200, {
      "content-type": path === "/" ? "text/html" : (TYPES[extname(path)] ?? "application/octet-stream"),
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
    }).end(body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

async function inChromium(bundleText: string): Promise<{ result: ConformanceResult; relaxed: ConformanceResult; notIsolated: { threads: number[]; notices: string[] } }> {
  const { server, origin } = await serve(bundleText);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${origin}/`);
    // A string, not a function: the test file's own import() calls are rewritten by vitest.
    const run = (simd?: string) =>
      page.evaluate(`(async () => {
        const api = await import("/dist/browser.js");
        const { parseBundle, runConformance } = await import("/conformance-run.mjs");
        const text = await (await fetch("/conformance.json")).text();
        return runConformance(api, parseBundle(text), { simd: ${JSON.stringify(simd)} });
      })()`) as Promise<ConformanceResult>;
    const result = await run();
    const relaxed = await run("relaxed-only");
    expect(errors).toEqual([]);
    // Without cross-origin isolation there is no SharedArrayBuffer: one thread, said once.
    const notices: string[] = [];
    page.on("console", (m) => notices.push(m.text()));
    await page.goto(`${origin}/not-isolated`);
    const threads = (await page.evaluate(`(async () => {
      const api = await import("/dist/browser.js");
      const out = [];
      for (let i = 0; i < 2; i++) {
        const rt = await api.createRuntime({ threads: 2 });
        out.push(await rt.threadsReady(), rt.threads);
        rt.dispose();
      }
      return out;
    })()`)) as number[];
    return { result, relaxed, notIsolated: { threads, notices } };
  } finally {
    await browser.close();
    server.close();
  }
}

