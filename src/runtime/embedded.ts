// The kernels shipped inside the bundle as base64 (Node, Deno and browser builds), so that
// importing rnn-wasm needs no .wasm file beside it. The workerd build does without this file
// (platform.workerd.ts): workerd forbids compiling from bytes.
import { WASM_BASE64 } from "../../build/kernels-embedded.js";
import type { KernelBuild } from "./features.js";

type Base64Decoders = { Buffer?: { from(s: string, enc: "base64"): Uint8Array }; Uint8Array: { fromBase64?(s: string): Uint8Array } };

/** The bytes of a bundled build; the relaxed ones are a lazily loaded chunk of the ESM bundles. */
export async function embeddedKernelBytes(build: KernelBuild): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const base64 = build === "relaxed-simd" ? (await import("../../build/kernels-relaxed-embedded.js")).WASM_BASE64 : WASM_BASE64;
  return decodeBase64(base64);
}

/**
 * Native decoders where the platform has one (Node's Buffer, Uint8Array.fromBase64): the JS loop
 * below costs a few ms at cold start, more when V8 happens to optimise it mid-run.
 */
function decodeBase64(base64: string): Uint8Array<ArrayBuffer> {
  const g = globalThis as unknown as Base64Decoders;
  if (typeof g.Uint8Array.fromBase64 === "function") return new Uint8Array(g.Uint8Array.fromBase64(base64));
  if (typeof g.Buffer?.from === "function") return new Uint8Array(g.Buffer.from(base64, "base64"));
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Compiles a bundled build. */
export async function embeddedKernels(build: KernelBuild): Promise<WebAssembly.Module> {
  return WebAssembly.compile((await embeddedKernelBytes(build))!);
}
