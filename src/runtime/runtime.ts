// A Runtime is one kernel instance plus the linear memory and arena it works over. Layers and
// models allocate their packed weights and workspaces from it; many can share one runtime.
import { DisposedError, InvalidArgumentError } from "../errors.js";
import { Arena } from "./arena.js";
import { instantiateKernels, type Kernels } from "./kernels.js";
import { type LoadedKernels, loadKernels, type SimdOption, type WasmSource } from "./module-source.js";

export interface RuntimeOptions {
  /** Kernel module: a precompiled WebAssembly.Module, a URL or bytes. Default: the bundled build `simd` picks. */
  wasm?: WasmSource;
  /**
   * "default": plain SIMD kernels, deterministic (the same bits in every engine). "relaxed":
   * relaxed-SIMD kernels (fused multiply-add) where the engine has them, else the default ones
   * with a one-time console warning. "relaxed-only": like "relaxed" but throws UnsupportedError.
   */
  simd?: SimdOption;
  /** Upper bound on linear memory in bytes (default 1 GiB, at most 4 GiB). */
  maxMemoryBytes?: number;
}

export const DEFAULT_MAX_MEMORY_BYTES = 1 << 30;
const WASM32_MAX_BYTES = 65536 * 65536;

export class Runtime {
  readonly kernels: Kernels;
  readonly arena: Arena;
  /** The kernels in use: "simd", "relaxed-simd", or "custom" (the `wasm` option). */
  readonly build: LoadedKernels["build"];
  private disposed = false;

  private constructor(kernels: Kernels, arena: Arena, build: LoadedKernels["build"]) {
    this.kernels = kernels;
    this.arena = arena;
    this.build = build;
  }

  static async create(options: RuntimeOptions = {}): Promise<Runtime> {
    const maxBytes = options.maxMemoryBytes ?? DEFAULT_MAX_MEMORY_BYTES;
    if (!Number.isFinite(maxBytes) || maxBytes < 65536 || maxBytes > WASM32_MAX_BYTES) {
      throw new InvalidArgumentError(`maxMemoryBytes: expected 65536 ≤ n ≤ 4 GiB, found ${maxBytes}`);
    }
    const { module, build } = await loadKernels(options.wasm, options.simd);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: Math.floor(maxBytes / 65536) });
    const kernels = await instantiateKernels(module, memory);
    return new Runtime(kernels, new Arena(memory, maxBytes), build);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Throws DisposedError if this runtime was disposed. */
  check(): void {
    if (this.disposed) throw new DisposedError("Runtime");
  }

  /** Releases the memory of every layer and model on this runtime; they become unusable. */
  dispose(): void {
    this.disposed = true;
    this.arena.dispose();
  }
}

let shared: Promise<Runtime> | undefined;

/** The runtime layers use when none is given: created on first use, shared by all of them. */
export function defaultRuntime(): Promise<Runtime> {
  if (!shared) {
    shared = Runtime.create();
    shared.catch(() => (shared = undefined));
  }
  return shared.then((rt) => (rt.isDisposed ? ((shared = undefined), defaultRuntime()) : rt));
}

export function createRuntime(options?: RuntimeOptions): Promise<Runtime> {
  return Runtime.create(options);
}
