// The default kernel bytes, embedded as base64 so that importing rnn-wasm needs no .wasm file
// next to it. (The workerd build replaces this module: workerd forbids compiling from bytes.)
import { WASM_BASE64 } from "../../build/kernels-embedded.js";

export function embeddedWasmBytes(): Uint8Array<ArrayBuffer> {
  const text = atob(WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
