// A Runtime is one kernel instance plus the linear memory and arena it works over. Layers and
// models allocate their packed weights and workspaces from it; many can share one runtime.
// With threads > 1 the memory is shared and a pool of workers (thread-pool.ts) runs more
// instances of the kernels over it; the pool starts on first need, in the background.
import { DisposedError, InvalidArgumentError } from "../errors.js";
import { Arena } from "./arena.js";
import { instantiateKernels, type Kernels } from "./kernels.js";
import { type LoadedKernels, loadKernels, type SimdOption, type WasmSource } from "./module-source.js";
import { hardwareThreads } from "./platform.js";
import { ThreadPool } from "./thread-pool.js";

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
  /**
   * Threads that run kernels (1–64; default min(2, hardware threads)). More than 1 needs
   * SharedArrayBuffer and workers: Node, Deno, and browser pages that are cross-origin
   * isolated. Elsewhere (and in workerd) the runtime uses one thread and says so once.
   * Results are the same bits with any number of threads.
   */
  threads?: number;
}

export const DEFAULT_MAX_MEMORY_BYTES = 1 << 30;
const WASM32_MAX_BYTES = 65536 * 65536;

export class Runtime {
  readonly kernels: Kernels;
  readonly arena: Arena;
  /** The kernels in use: "simd", "relaxed-simd", or "custom" (the `wasm` option). */
  readonly build: LoadedKernels["build"];
  /** Threads this runtime may use (1 when the platform has none to give, see RuntimeOptions.threads). */
  readonly threads: number;
  private readonly module: WebAssembly.Module;
  private pool?: ThreadPool;
  private poolStart?: Promise<ThreadPool>;
  private disposed = false;
  private poolQueued = false;

  private constructor(kernels: Kernels, arena: Arena, loaded: LoadedKernels, threads: number) {
    this.kernels = kernels;
    this.arena = arena;
    this.build = loaded.build;
    this.module = loaded.module;
    this.threads = threads;
  }

  static async create(options: RuntimeOptions = {}): Promise<Runtime> {
    const maxBytes = options.maxMemoryBytes ?? DEFAULT_MAX_MEMORY_BYTES;
    if (!Number.isFinite(maxBytes) || maxBytes < 65536 || maxBytes > WASM32_MAX_BYTES) {
      throw new InvalidArgumentError(`maxMemoryBytes: expected 65536 ≤ n ≤ 4 GiB, found ${maxBytes}`);
    }
    const asked = options.threads;
    if (asked !== undefined && !(Number.isInteger(asked) && asked >= 1 && asked <= MAX_THREADS)) {
      throw new InvalidArgumentError(`threads: expected an integer in [1, ${MAX_THREADS}], found ${asked}`);
    }
    let threads = asked ?? Math.min(2, await hardwareThreads());
    const share = threads > 1 && sharedMemoryAvailable();
    const loaded = await loadKernels(options.wasm, options.simd, share);
    if (threads > 1 && !loaded.shared) {
      singleThreadNotice(
        !share ? NO_SHARED
        : options.wasm instanceof WebAssembly.Module ? "the kernels were given as a compiled WebAssembly.Module, whose memory import is not shared"
        : "this platform cannot start WebAssembly threads here (e.g. Cloudflare Workers: one thread per isolate)",
      );
      threads = 1;
    }
    const pages = Math.floor(maxBytes / 65536);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: pages, shared: loaded.shared });
    const kernels = await instantiateKernels(loaded.module, memory);
    return new Runtime(kernels, new Arena(memory, maxBytes), loaded, threads);
  }

  /**
   * The worker pool if it is ready, else undefined (and it starts in the background): callers
   * then run everything on this thread. Never blocks.
   */
  workers(): ThreadPool | undefined {
    if (this.pool || this.threads < 2 || this.disposed || this.poolQueued) return this.pool;
    // Starting workers costs this thread several milliseconds (Node: ≈ 3 ms to load
    // worker_threads, ≈ 3 ms per Worker): a macrotask later, so that it delays no output the
    // caller is awaiting now (the first result of an app comes that much sooner).
    this.poolQueued = true;
    setTimeout(() => void (this.disposed || this.startPool().catch(() => undefined)), 0);
    return undefined;
  }

  /** Starts the worker pool if needed; resolves with the threads usable now (this one included). */
  async threadsReady(): Promise<number> {
    this.check();
    if (this.threads < 2) return 1;
    const pool = await this.startPool();
    return 1 + pool.size;
  }

  private startPool(): Promise<ThreadPool> {
    this.poolStart ??= ThreadPool.start(this.module, this.arena, this.kernels, this.threads - 1).then((pool) => {
      if (this.disposed) pool.dispose();
      else this.pool = pool;
      return pool;
    });
    return this.poolStart;
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
    this.pool?.dispose();
    this.arena.dispose();
  }
}

const MAX_THREADS = 64;
const NO_SHARED =
  "SharedArrayBuffer is not available (a browser page must be cross-origin isolated: serve it with " +
  "Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)";

function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer !== "function" || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

let noticed = false;
function singleThreadNotice(why: string): void {
  if (noticed) return;
  noticed = true;
  globalThis.console?.info(`rnn-wasm: running on one thread: ${why}`);
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
