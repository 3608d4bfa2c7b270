// Kernel calls are guarded so that a WebAssembly trap (which host-side validation should make
// impossible) reaches the caller as a typed RuntimeFailureError, not a bare RuntimeError.
import { RuntimeFailureError } from "../errors.js";

/** Maps a WebAssembly trap to RuntimeFailureError; anything else passes through. */
export function kernelError(e: unknown): unknown {
  if (e instanceof WebAssembly.RuntimeError) {
    return new RuntimeFailureError(`rnn-wasm kernel trapped (${e.message}); this is a bug, please report it`, { cause: e });
  }
  return e;
}

export function guardKernel<T>(call: () => T): T {
  try {
    return call();
  } catch (e) {
    throw kernelError(e);
  }
}
