// A pool of worker threads over the runtime's shared linear memory. The calling thread posts a
// batch of kernel calls to a worker's mailbox (a few words of that memory), runs its own share,
// then waits for the worker: no message passing, no promise and no copy per job, and the
// synchronous API stays synchronous. Workers start in the background; until they are ready the
// runtime simply runs everything itself (results are the same bits either way).
//
// Mailbox of worker w, int32 words from `box`:
//   [0] go: job number, bumped by the caller (−1 = quit)   [1] done: the job number finished
//   [2] status: 0 ok, 1 trap, 2 other error                 [3] words of calls that follow
//   [4] claimed: the last job number taken, by the worker or by the caller
//   [5…] calls: fn index, argument count, the arguments (all int32: pointers and sizes)
// A job goes to whoever claims it first (compare-and-swap on [4]): when the caller has finished
// its own share before a sleeping worker woke up, it runs the worker's share too, so a hand-off
// never costs more than running everything on one thread. Jobs that meet at the step barrier
// are never taken back (the caller would wait at the barrier for itself).
// The pool also owns the step barrier (assembly/step-barrier.ts) that the jobs of a phase split
// by units meet at each time step; it is reset before every phase.
//
// Both sides spin a little before sleeping: a stream step hands work over every few tens of
// microseconds, and waking a thread from Atomics.wait costs about as much as the step.
import { RuntimeFailureError } from "../errors.js";
import type { Arena } from "./arena.js";
import { guardKernel, kernelError } from "./guard.js";
import type { Kernels } from "./kernels.js";
import { type WorkerHandle, spawnWorker } from "./platform.js";
import { WORKER_SOURCE } from "./worker-source.js";

const MAILBOX_WORDS = 1024;
const HEADER = 5;
const CLAIMED = 4;
/** Atomics.load polls before Atomics.wait: ≈ 0.7 ms measured in unoptimised Node code, less once optimised. */
const SPIN = 1 << 14;
/** Step barrier words (int32): arrived, generation, abort, parties. */
const BAR_ABORT = 2;
const BAR_PARTIES = 3;

/** A batch of kernel calls: [export name, ...int32 arguments]. */
export type KernelCall = [keyof Kernels & string, ...number[]];

/**
 * One job per thread (job 0 on the calling thread, job j on worker j − 1), all finished before
 * the next phase starts. `synced`: the jobs meet at the step barrier, so each must have a thread
 * of its own (runPhases refuses to run them otherwise).
 */
export interface Phase {
  jobs: KernelCall[][];
  synced?: boolean;
}

type LocalCalls = Array<[(...args: number[]) => unknown, number[]]>;

/** A phase encoded once (ThreadPool.prepare) and run any number of times. */
export interface PreparedPhase {
  /** Mailbox words of the jobs of workers 0, 1, … */
  words: Int32Array[];
  /** Every job as calls on this thread's kernels: job 0, and any job taken back from a worker. */
  local: LocalCalls[];
  synced: boolean;
}

/** Records kernel calls instead of running them: pass `kernels` where a Kernels is expected. */
export function recorder(real: Kernels): { kernels: Kernels; calls: KernelCall[] } {
  const calls: KernelCall[] = [];
  const kernels = {} as Record<string, unknown>;
  for (const name of Object.keys(real)) kernels[name] = (...args: number[]) => void calls.push([name as KernelCall[0], ...args]);
  return { kernels: kernels as unknown as Kernels, calls };
}

export class ThreadPool {
  /** Byte offset of the step barrier block that synced jobs pass to the kernels. */
  readonly barrier: number;
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
    // A cache line of its own: the words are written by every thread at every step.
    this.barrier = arena.alloc(64, "step barrier");
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

  /** Whether every job but the first fits a worker's mailbox and has a worker to run it. */
  fits(jobs: readonly KernelCall[][]): boolean {
    return jobs.length - 1 <= this.size && jobs.slice(1).every((calls) => words(calls) <= MAILBOX_WORDS - HEADER);
  }

  /** Encodes a phase for run(); undefined unless it fits (see fits). */
  prepare(k: Kernels, jobs: readonly KernelCall[][], synced = false): PreparedPhase | undefined {
    if (jobs.length === 0 || !this.fits(jobs)) return undefined;
    const encoded = jobs.slice(1).map((calls) => {
      const out = new Int32Array(words(calls));
      let p = 0;
      for (const [name, ...args] of calls) {
        out[p] = this.names.indexOf(name);
        out[p + 1] = args.length;
        out.set(args, p + 2);
        p += 2 + args.length;
      }
      return out;
    });
    const local = jobs.map((calls) => calls.map(([name, ...args]) => [k[name] as (...a: number[]) => unknown, args] as [(...a: number[]) => unknown, number[]]));
    return { words: encoded, local, synced };
  }

  /**
   * Runs a prepared phase: posts the workers' jobs, runs job 0 here, then takes back the jobs
   * no worker has started (unless synced) and waits for the others. Failures come back as typed
   * errors (the first one); a failure also aborts the step barrier, so no thread is left
   * waiting there for one that stopped.
   */
  run(phase: PreparedPhase): void {
    const i32 = this.arena.i32;
    const bar = this.barrier >> 2;
    i32[bar] = 0;
    i32[bar + BAR_ABORT] = 0;
    i32[bar + BAR_PARTIES] = phase.words.length + 1;
    for (let w = 0; w < phase.words.length; w++) this.post(w, phase.words[w]);
    let failure = runCalls(phase.local[0]);
    if (failure !== undefined) Atomics.store(this.arena.i32, bar + BAR_ABORT, 1);
    for (let w = 0; w < phase.words.length; w++) {
      if (!phase.synced && this.takeBack(w)) {
        if (failure === undefined) failure = runCalls(phase.local[w + 1]);
        continue;
      }
      // Workers write memory this thread reads next: wait for them even after a failure.
      try {
        this.wait(w);
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure !== undefined) throw failure;
  }

  /** Runs phases in order; a phase that does not fit the pool runs here, job after job. */
  runPhases(k: Kernels, phases: readonly Phase[]): void {
    for (const { jobs, synced } of phases) {
      const prepared = this.prepare(k, jobs, synced);
      if (prepared) {
        this.run(prepared);
        continue;
      }
      if (synced) throw new RuntimeFailureError("rnn-wasm: a phase of synchronised jobs does not fit the thread pool; this is a bug, please report it");
      guardKernel(() => {
        for (const calls of jobs) for (const [name, ...args] of calls) (k[name] as (...a: number[]) => unknown)(...args);
      });
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

  /** Posts encoded calls to worker w. */
  private post(w: number, calls: Int32Array): void {
    const i32 = this.arena.i32;
    const box = this.boxes[w];
    i32.set(calls, box + HEADER);
    i32[box + 3] = calls.length;
    this.seq[w]++;
    Atomics.store(i32, box, this.seq[w]);
    Atomics.notify(i32, box);
  }

  /** Claims worker w's last job for this thread; false if the worker already has. */
  private takeBack(w: number): boolean {
    const want = this.seq[w];
    return Atomics.compareExchange(this.arena.i32, this.boxes[w] + CLAIMED, want - 1, want) === want - 1;
  }

  /** Waits until worker w has finished its last job; rethrows its failure as a typed error. */
  private wait(w: number): void {
    const i32 = this.arena.i32;
    const done = this.boxes[w] + 1;
    const want = this.seq[w];
    for (let spin = 0; spin < SPIN && Atomics.load(i32, done) !== want; spin++);
    while (Atomics.load(i32, done) !== want) {
      if (this.canBlock) Atomics.wait(i32, done, want - 1, 1000);
    }
    const status = i32[this.boxes[w] + 2];
    if (status === 1) throw kernelError(new WebAssembly.RuntimeError("in a worker thread"));
    if (status !== 0) throw new RuntimeFailureError("rnn-wasm worker thread failed while running kernels; this is a bug, please report it");
  }

  private async startWorker(module: WebAssembly.Module, box: number): Promise<void> {
    let worker: WorkerHandle | undefined;
    try {
      worker = await spawnWorker(WORKER_SOURCE);
      if (!worker) return;
      const ready = worker.ready();
      worker.post({ module, memory: this.arena.memory, box, abort: (this.barrier >> 2) + BAR_ABORT, names: this.names, spin: SPIN });
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

/** Runs calls on this thread; returns the failure (as a typed error), if any. */
function runCalls(calls: LocalCalls): unknown {
  try {
    for (const [fn, args] of calls) fn(...args);
    return undefined;
  } catch (e) {
    return kernelError(e);
  }
}

/** Mailbox words of a batch of calls. */
function words(calls: readonly KernelCall[]): number {
  return calls.reduce((n, c) => n + c.length + 1, 0);
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
