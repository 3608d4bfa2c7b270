// The kernels shipped inside the bundle as base64 (Node, Deno and browser builds), so that
// importing rnn-wasm needs no .wasm file next to it. The workerd build does without this file
// (platform.workerd.ts): workerd forbids compiling from bytes.
import { WASM_BASE64 } from "../../build/kernels-embedded.js";
import type { KernelBuild } from "./features.js";

/** Compiles a bundled build; the relaxed bytes are a lazily loaded chunk of the ESM bundles. */
export async function embeddedKernels(build: KernelBuild): Promise<WebAssembly.Module> {
  const base64 = build === "relaxed-simd" ? (await import("../../build/kernels-relaxed-embedded.js")).WASM_BASE64 : WASM_BASE64;
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return WebAssembly.compile(bytes);
}
