// The kernels shipped inside the bundle as base64 (Node, Deno and browser builds), so that
// importing rnn-wasm needs no .wasm file beside it. The workerd build does without this file
// (platform.workerd.ts): workerd forbids compiling from bytes.
import { WASM_BASE64 } from "../../build/kernels-embedded.js";
import type { KernelBuild } from "./features.js";

/** The bytes of a bundled build; the relaxed ones are a lazily loaded chunk of the ESM bundles. */
export async function embeddedKernelBytes(build: KernelBuild): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const base64 = build === "relaxed-simd" ? (await import("../../build/kernels-relaxed-embedded.js")).WASM_BASE64 : WASM_BASE64;
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Compiles a bundled build. */
export async function embeddedKernels(build: KernelBuild): Promise<WebAssembly.Module> {
  return WebAssembly.compile((await embeddedKernelBytes(build))!);
}
