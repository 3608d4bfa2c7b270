// Where the compiled kernels come from: one of the builds shipped in the bundle, chosen by the
// `simd` option and the engine's features (features.ts); or the caller's own module: a
// precompiled WebAssembly.Module, a URL or bytes.
//
// There is no scalar build: the kernels use v128 throughout, so one would be a second kernel
// source to keep exact and tested, for engines that no maintained browser or server runtime
// still is (SIMD shipped in Chrome 91, Firefox 89, Safari 16.4, Node 16.4). Without SIMD,
// loading throws UnsupportedError naming "WebAssembly SIMD".
import { InvalidArgumentError, UnsupportedError } from "../errors.js";
import { hasWasmRelaxedSimd, hasWasmSimd, type KernelBuild } from "./features.js";
import { embeddedKernelBytes, embeddedKernels, readFileUrl } from "./platform.js";
import { shareMemoryImport } from "./shared-wasm.js";

export type WasmSource = WebAssembly.Module | URL | string | ArrayBuffer | ArrayBufferView;

/**
 * Which bundled kernels to use. "default": plain SIMD, deterministic (bit-identical results in
 * every engine). "relaxed": relaxed SIMD (fused multiply-add: faster, last bits may differ by
 * engine and CPU) where the engine has it, else the default build with a one-time warning.
 * "relaxed-only": relaxed SIMD or an UnsupportedError.
 */
export type SimdOption = "default" | "relaxed" | "relaxed-only";

/** The kernels a runtime runs: a bundled build, or "custom" for a module the caller gave. */
export interface LoadedKernels {
  module: WebAssembly.Module;
  build: KernelBuild | "custom";
  /** The module imports a shared memory (for a thread pool, see shared-wasm.ts). */
  shared: boolean;
}

const SIMD_OPTIONS: readonly unknown[] = ["default", "relaxed", "relaxed-only"];
const NO_SIMD =
  "this engine lacks WebAssembly SIMD (fixed-width 128-bit), which rnn-wasm requires: there is no scalar build " +
  "(SIMD is in Chrome/Edge 91+, Firefox 89+, Safari 16.4+, Node 16.4+, Deno, Cloudflare Workers)";
const NO_RELAXED =
  "this engine lacks WebAssembly relaxed SIMD (Deno, Chromium and workerd have it; Node 20 only when started with " +
  "--experimental-wasm-relaxed-simd)";

const cache = new Map<string, Promise<WebAssembly.Module | undefined>>();
let warned = false;

/**
 * Loads the kernels; with `shared`, their threaded twin (memory import shared) where it can be
 * made (not from a precompiled module, nor in workerd), else the plain module and shared false.
 */
export async function loadKernels(source: WasmSource | undefined, simd: SimdOption | undefined, shared = false): Promise<LoadedKernels> {
  if (simd !== undefined && !SIMD_OPTIONS.includes(simd)) {
    throw new InvalidArgumentError(`simd: expected "default", "relaxed" or "relaxed-only", found ${JSON.stringify(simd)}`);
  }
  if (source !== undefined) {
    if (simd !== undefined && simd !== "default") {
      throw new InvalidArgumentError(
        `simd: "${simd}" picks one of the bundled kernel builds, but a wasm module was given too; ` +
          `pass either wasm (e.g. a URL of kernels-relaxed.wasm) or simd, not both`,
      );
    }
    if (source instanceof WebAssembly.Module) return { module: source, build: "custom", shared: false };
    const bytes = await kernelBytes(source);
    const twin = shared ? shareMemoryImport(bytes) : undefined;
    if (twin && WebAssembly.validate(twin)) return { module: await WebAssembly.compile(twin), build: "custom", shared: true };
    return { module: await compile(bytes), build: "custom", shared: false };
  }
  if (!hasWasmSimd()) throw new UnsupportedError(NO_SIMD);
  let build: KernelBuild = "simd";
  if (simd === "relaxed" || simd === "relaxed-only") {
    if (hasWasmRelaxedSimd()) build = "relaxed-simd";
    else if (simd === "relaxed-only") throw new UnsupportedError(`simd: "relaxed-only": ${NO_RELAXED}`);
    else if (!warned) {
      warned = true;
      globalThis.console?.warn(
        `rnn-wasm: simd: "relaxed" asked for the relaxed-SIMD (FMA) kernels, but ${NO_RELAXED}; ` +
          `using the default SIMD kernels (deterministic, a little slower). simd: "relaxed-only" makes this an error.`,
      );
    }
  }
  // Compile each bundled build (and its threaded twin) once per realm; every runtime shares it.
  const key = `${build}${shared ? "+shared" : ""}`;
  let compiled = cache.get(key);
  if (!compiled) {
    compiled = shared ? embeddedTwin(build) : embeddedKernels(build);
    cache.set(key, compiled);
    compiled.catch(() => cache.delete(key));
  }
  const module = await compiled;
  if (module) return { module, build, shared };
  return loadKernels(undefined, simd, false);
}

async function embeddedTwin(build: KernelBuild): Promise<WebAssembly.Module | undefined> {
  const bytes = await embeddedKernelBytes(build);
  const twin = bytes && shareMemoryImport(bytes);
  return twin ? WebAssembly.compile(twin) : undefined;
}

async function kernelBytes(source: URL | string | ArrayBuffer | ArrayBufferView): Promise<Uint8Array<ArrayBuffer>> {
  if (source instanceof URL || typeof source === "string") return fetchBytes(source);
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) {
    const view = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    // WebAssembly.compile takes no views of a SharedArrayBuffer: copy those.
    return view.buffer instanceof ArrayBuffer ? (view as Uint8Array<ArrayBuffer>) : view.slice();
  }
  throw new InvalidArgumentError(
    `wasm: expected a WebAssembly.Module, URL, string URL, ArrayBuffer or typed array, found ${typeof source}`,
  );
}

async function compile(bytes: Uint8Array<ArrayBuffer>): Promise<WebAssembly.Module> {
  if (!WebAssembly.validate(bytes)) {
    if (!hasWasmSimd()) throw new UnsupportedError(NO_SIMD);
    throw new UnsupportedError(
      `wasm: this engine cannot validate the given ${bytes.length} bytes as a WebAssembly module: they are not ` +
        `rnn-wasm kernels, or they use a feature this engine lacks${hasWasmRelaxedSimd() ? "" : ` (${NO_RELAXED})`}`,
    );
  }
  return WebAssembly.compile(bytes);
}

async function fetchBytes(url: URL | string): Promise<Uint8Array<ArrayBuffer>> {
  const href = String(url);
  if (href.startsWith("file:")) return readFileUrl(new URL(href));
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new InvalidArgumentError(`wasm: fetching ${href} failed (${String(cause)})`);
  }
  if (!response.ok) throw new InvalidArgumentError(`wasm: fetching ${href} gave HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
