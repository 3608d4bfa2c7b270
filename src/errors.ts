// The error types rnn-wasm throws. Every message says what was expected and what was found.
// Each class has a stable `code` so callers can branch without parsing messages.

export type RnnWasmErrorCode =
  | "SHAPE"
  | "MODEL_FORMAT"
  | "UNSUPPORTED"
  | "RESOURCE_LIMIT"
  | "INVALID_ARGUMENT"
  | "DISPOSED"
  | "RUNTIME";

export class RnnWasmError extends Error {
  readonly code: RnnWasmErrorCode;
  constructor(code: RnnWasmErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A tensor, weight or state has the wrong dimensions or length. */
export class ShapeError extends RnnWasmError {
  constructor(message: string) {
    super("SHAPE", message);
  }
}

/** A model file or weight set is malformed (truncated, wrong magic, missing tensor…). */
export class ModelFormatError extends RnnWasmError {
  constructor(message: string) {
    super("MODEL_FORMAT", message);
  }
}

/** A valid request this runtime cannot do (an operator, a feature, a combination). */
export class UnsupportedError extends RnnWasmError {
  constructor(message: string) {
    super("UNSUPPORTED", message);
  }
}

/** A request would exceed a configured limit (memory, sequence length…). */
export class ResourceLimitError extends RnnWasmError {
  constructor(message: string) {
    super("RESOURCE_LIMIT", message);
  }
}

/** An argument has the wrong type or an out-of-range value (a token id, an option…). */
export class InvalidArgumentError extends RnnWasmError {
  constructor(message: string) {
    super("INVALID_ARGUMENT", message);
  }
}

/** A layer, model, stream or runtime was used after dispose(). */
export class DisposedError extends RnnWasmError {
  constructor(what: string) {
    super("DISPOSED", `${what} was used after dispose()`);
  }
}

/** The WebAssembly module failed in a way validation should have prevented (a bug: report it). */
export class RuntimeFailureError extends RnnWasmError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("RUNTIME", message);
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}
