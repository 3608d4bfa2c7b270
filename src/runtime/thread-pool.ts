// A pool of worker threads over the runtime's shared linear memory. The calling thread posts a
// batch of kernel calls to a worker's mailbox (a few words of that memory), runs its own share,
// then waits for the worker: no message passing, no promise and no copy per job, and the
// synchronous API stays synchronous. Workers start in the background; until they are ready the
// runtime simply runs everything itself (results are the same bits either way).
//
// Mailbox of worker w, int32 words from `box`:
//   [0] go: job number, bumped by the caller (−1 = quit)   [1] done: the job number finished
//   [2] status: 0 ok, 1 trap, 2 other error                 [3] words of calls that follow
//   [4…] calls: fn index, argument count, the arguments (all int32: pointers and sizes)
import { RuntimeFailureError } from "../errors.js";
import type { Arena } from "./arena.js";
import { guardKernel, kernelError } from "./guard.js";
import type { Kernels } from "./kernels.js";
import { type WorkerHandle, spawnWorker } from "./platform.js";
import { WORKER_SOURCE } from "./worker-source.js";

const MAILBOX_WORDS = 1024;
const HEADER = 4;

/** A batch of kernel calls: [export name, ...int32 arguments]. */
export type KernelCall = [keyof Kernels & string, ...number[]];

/** Records kernel calls instead of running them: pass `kernels` where a Kernels is expected. */
export function recorder(real: Kernels): { kernels: Kernels; calls: KernelCall[] } {
  const calls: KernelCall[] = [];
  const kernels = {} as Record<string, unknown>;
  for (const name of Object.keys(real)) kernels[name] = (...args: number[]) => void calls.push([name as KernelCall[0], ...args]);
  return { kernels: kernels as unknown as Kernels, calls };
}

export class ThreadPool {
  private readonly arena: Arena;
  private readonly names: string[];
  private readonly workers: WorkerHandle[] = [];
  private readonly boxes: number[] = [];
  private readonly seq: number[] = [];
  /** Atomics.wait is forbidden on a browser's main thread: then the caller spins. */
  private readonly canBlock: boolean;
  private ready = 0;
  private closed = false;

  private constructor(arena: Arena, names: string[]) {
    this.arena = arena;
    this.names = names;
    this.canBlock = probeBlocking(arena.i32);
  }

  /**
   * Starts `count` workers on the kernels `module` (whose memory import is shared); resolves
   * when all are ready, or with fewer if some failed to start (the pool then uses those).
   */
  static async start(module: WebAssembly.Module, arena: Arena, kernels: Kernels, count: number): Promise<ThreadPool> {
    const pool = new ThreadPool(arena, Object.keys(kernels));
    const started = [];
    for (let w = 0; w < count; w++) {
      const box = arena.alloc(MAILBOX_WORDS * 4, "thread mailbox") >> 2;
      started.push(pool.startWorker(module, box));
    }
    await Promise.all(started);
    return pool;
  }

  /** Workers ready to take jobs. */
  get size(): number {
    return this.closed ? 0 : this.ready;
  }

  /** Posts calls to worker w; false (nothing posted) if they do not fit its mailbox. */
  post(w: number, calls: readonly KernelCall[]): boolean {
    const i32 = this.arena.i32;
    const box = this.boxes[w];
    let p = box + HEADER;
    for (const [name, ...args] of calls) {
      if (p + 2 + args.length > box + MAILBOX_WORDS) return false;
      i32[p] = this.names.indexOf(name);
      i32[p + 1] = args.length;
      for (let i = 0; i < args.length; i++) i32[p + 2 + i] = args[i];
      p += 2 + args.length;
    }
    i32[box + 3] = p - box - HEADER;
    this.seq[w]++;
    Atomics.store(i32, box, this.seq[w]);
    Atomics.notify(i32, box);
    return true;
  }

  /** Waits until worker w has finished its last job; rethrows its failure as a typed error. */
  wait(w: number): void {
    const i32 = this.arena.i32;
    const done = this.boxes[w] + 1;
    const want = this.seq[w];
    while (Atomics.load(i32, done) !== want) {
      if (this.canBlock) Atomics.wait(i32, done, want - 1, 1000);
    }
    const status = i32[this.boxes[w] + 2];
    if (status === 1) throw kernelError(new WebAssembly.RuntimeError("in a worker thread"));
    if (status !== 0) throw new RuntimeFailureError("rnn-wasm worker thread failed while running kernels; this is a bug, please report it");
  }

  /**
   * Runs phases of kernel calls: in each, job 0 on this thread and job j on worker j − 1 (or
   * here too, if it does not fit the worker's mailbox); a phase ends when all its jobs have.
   */
  runPhases(k: Kernels, phases: readonly KernelCall[][][]): void {
    const replay = (calls: KernelCall[]) => {
      for (const [name, ...args] of calls) (k[name] as (...a: number[]) => unknown)(...args);
    };
    for (const jobs of phases) {
      const posted: number[] = [];
      try {
        for (let j = 1; j < jobs.length; j++) {
          if (j - 1 < this.size && this.post(j - 1, jobs[j])) posted.push(j - 1);
          else guardKernel(() => replay(jobs[j]));
        }
        guardKernel(() => replay(jobs[0]));
      } finally {
        // Workers write memory this thread reads next: wait for them even after a failure.
        for (const w of posted) this.wait(w);
      }
    }
  }

  /** Stops the workers (their mailboxes go with the arena). */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    const i32 = this.arena.i32;
    for (let w = 0; w < this.workers.length; w++) {
      Atomics.store(i32, this.boxes[w], -1);
      Atomics.notify(i32, this.boxes[w]);
      this.workers[w].terminate();
    }
  }

  private async startWorker(module: WebAssembly.Module, box: number): Promise<void> {
    let worker: WorkerHandle | undefined;
    try {
      worker = await spawnWorker(WORKER_SOURCE);
      if (!worker) return;
      const ready = worker.ready();
      worker.post({ module, memory: this.arena.memory, box, names: this.names });
      await ready;
    } catch {
      worker?.terminate();
      return;
    }
    if (this.closed) {
      worker.terminate();
      return;
    }
    // Slots fill in start order of readiness; each slot keeps its own mailbox.
    this.workers.push(worker);
    this.boxes.push(box);
    this.seq.push(0);
    this.ready++;
  }
}

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
function probeBlocking(i32: Int32Array): boolean {
  try {
    Atomics.wait(i32, 0, 1, 0); // word 0 is never 1 (address 0 stays unused): returns at once
    return true;
  } catch {
    return false;
  }
}

/** Splits [0, n) into at most `parts` near-equal ranges whose starts are multiples of `align`. */
export function ranges(n: number, parts: number, align: number): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  for (let i = 1; i <= parts && start < n; i++) {
    const end = i === parts ? n : Math.min(n, Math.ceil((n * i) / parts / align) * align);
    if (end > start) out.push([start, end]);
    start = end;
  }
  return out;
}
