// `rnn-wasm bench`: a short self-benchmark of the issue-7 workloads on this machine — µs per
// step or ms per sequence, and GFLOP/s. (The comparison with other runtimes is `npm run bench`.)
import { InvalidArgumentError } from "../errors.js";
import { Model } from "../model/model.js";
import type { Runtime } from "../runtime/runtime.js";
import { progress } from "./progress.js";
import { WORKLOADS, type Workload, layerWeights, seedOf, uniformWeights, workloadFlops } from "./workloads.js";

export interface BenchRow {
  id: string;
  title: string;
  /** Median time of one call (a step or a whole sequence), in microseconds. */
  micros: number;
  unit: "step" | "sequence";
  gflops: number;
  samples: number;
}

function build(runtime: Runtime, w: Workload): Model {
  return new Model(runtime, {
    layers: Array.from({ length: w.layers }, (_, k) => ({
      type: "recurrent" as const, cell: w.cell, inputSize: k === 0 ? w.I : w.dirs * w.H, hiddenSize: w.H,
      direction: w.dirs === 2 ? ("bidirectional" as const) : ("forward" as const), linearBeforeReset: w.cell === "gru" ? true : undefined,
      ...layerWeights(w, k),
    })),
  });
}

/** Runs each workload for about seconds / WORKLOADS.length seconds; returns medians. */
export async function runBench(runtime: Runtime, seconds: number, only?: string[]): Promise<BenchRow[]> {
  const list = WORKLOADS.filter((w) => !only || only.includes(w.id));
  const budget = (seconds * 1000) / list.length;
  const bar = progress("bench", list.length);
  const rows: BenchRow[] = [];
  for (const [i, w] of list.entries()) {
    bar.update(i);
    const model = build(runtime, w);
    const x = uniformWeights(seedOf(`${w.id}-X`), (w.step ? 1 : w.T) * w.B * w.I, 1);
    let call: () => Promise<unknown> | unknown;
    if (w.step) {
      const s = model.stream({ batchSize: w.B });
      const steps = 64; // time a batch of steps per sample: one step is too short for the clock
      call = () => {
        for (let k = 0; k < steps; k++) s.step(x);
      };
      const t = await sample(call, budget);
      rows.push(row(w, t.median / steps, t.samples, "step"));
    } else {
      call = () => model.run({ data: x, dims: [w.T, w.B, w.I] });
      const t = await sample(call, budget);
      rows.push(row(w, t.median, t.samples, "sequence"));
    }
    model.dispose();
  }
  bar.end();
  return rows;
}

function row(w: Workload, micros: number, samples: number, unit: BenchRow["unit"]): BenchRow {
  return { id: w.id, title: w.title, micros, unit, gflops: workloadFlops(w) / (micros * 1e3), samples };
}

async function sample(call: () => unknown, budgetMs: number): Promise<{ median: number; samples: number }> {
  await call(); // warm-up: compiles the kernels' hot paths and sizes the workspaces
  const times: number[] = [];
  const end = performance.now() + budgetMs;
  while (performance.now() < end || times.length < 5) {
    const t0 = performance.now();
    await call();
    times.push((performance.now() - t0) * 1000);
  }
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1], samples: times.length };
}

export async function benchCommand(a: { seconds?: string; only?: string; json?: boolean }, runtime: Runtime): Promise<void> {
  const seconds = a.seconds === undefined ? 10 : Number(a.seconds);
  if (!(seconds > 0)) throw new InvalidArgumentError(`--seconds: expected a positive number, found ${JSON.stringify(a.seconds)}`);
  const only = a.only?.split(",").map((s) => s.trim());
  const unknown = only?.filter((id) => !WORKLOADS.some((w) => w.id === id)) ?? [];
  if (unknown.length) throw new InvalidArgumentError(`--only: unknown workloads ${unknown.join(", ")} (known: ${WORKLOADS.map((w) => w.id).join(", ")})`);
  const rows = await runBench(runtime, seconds, only);
  if (a.json) {
    process.stdout.write(`${JSON.stringify({ build: runtime.build, workloads: rows })}\n`);
    return;
  }
  const lines = [`rnn-wasm self-benchmark (${runtime.build} kernels, one thread):`];
  for (const r of rows) {
    const time = r.unit === "step" ? `${r.micros.toFixed(1)} µs/step` : `${(r.micros / 1000).toFixed(2)} ms/sequence`;
    lines.push(`  ${r.id.padEnd(4)} ${r.title.padEnd(30)} ${time.padStart(18)}  ${r.gflops.toFixed(1).padStart(5)} GFLOP/s`);
  }
  lines.push("Side by side with onnxruntime and TensorFlow.js: npm run bench (in a checkout).");
  process.stdout.write(`${lines.join("\n")}\n`);
}
