// Where the compiled kernels come from: by default the bytes embedded in the bundle; or a
// precompiled WebAssembly.Module (required where compiling from bytes is forbidden, e.g.
// Cloudflare workerd), a URL, or raw bytes.
import { InvalidArgumentError, UnsupportedError } from "../errors.js";
import { embeddedWasmBytes } from "./embedded.js";

export type WasmSource = WebAssembly.Module | URL | string | ArrayBuffer | ArrayBufferView;

const cache = new Map<string, Promise<WebAssembly.Module>>();

export function compileKernels(source?: WasmSource): Promise<WebAssembly.Module> {
  if (source === undefined) {
    // Compile the embedded module once per realm; every runtime shares it.
    let compiled = cache.get("embedded");
    if (!compiled) {
      compiled = compile(embeddedWasmBytes());
      cache.set("embedded", compiled);
      compiled.catch(() => cache.delete("embedded"));
    }
    return compiled;
  }
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  if (source instanceof URL || typeof source === "string") return fetchModule(source);
  if (source instanceof ArrayBuffer) return compile(new Uint8Array(source));
  if (ArrayBuffer.isView(source)) {
    const view = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    // WebAssembly.compile takes no views of a SharedArrayBuffer: copy those.
    return compile(view.buffer instanceof ArrayBuffer ? (view as Uint8Array<ArrayBuffer>) : view.slice());
  }
  throw new InvalidArgumentError(
    `wasm: expected a WebAssembly.Module, URL, string URL, ArrayBuffer or typed array, found ${typeof source}`,
  );
}

async function compile(bytes: Uint8Array<ArrayBuffer>): Promise<WebAssembly.Module> {
  if (!WebAssembly.validate(bytes)) {
    throw new UnsupportedError(
      "this engine cannot validate the rnn-wasm kernels: WebAssembly SIMD (fixed-width, 128-bit) is required",
    );
  }
  return WebAssembly.compile(bytes);
}

async function fetchModule(url: URL | string): Promise<WebAssembly.Module> {
  const href = String(url);
  if (href.startsWith("file:")) {
    // fetch() has no file: URLs in Node or Deno; both have node:fs (browsers never get here).
    const fs = await import("node:fs/promises");
    return compile(new Uint8Array(await fs.readFile(new URL(href))));
  }
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new InvalidArgumentError(`wasm: fetching ${href} failed (${String(cause)})`);
  }
  if (!response.ok) throw new InvalidArgumentError(`wasm: fetching ${href} gave HTTP ${response.status}`);
  return compile(new Uint8Array(await response.arrayBuffer()));
}
