// The CLI's commands and their options: one table, from which parsing and --help come.
import type { ParseArgsConfig } from "node:util";

export interface Command {
  name: string;
  usage: string;
  summary: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Option help lines, in order. */
  help: string[];
}

const json = { json: { type: "boolean" } } as const;
const jsonHelp = "  --json                 machine-readable output on stdout";

export const COMMANDS: Command[] = [
  {
    name: "generate",
    usage: "rnn-wasm generate [prompt] [options]",
    summary: "generate text with the embedded character LSTM (or --model FILE), streaming it as it comes",
    options: {
      model: { type: "string" }, length: { type: "string" }, temperature: { type: "string" }, "top-k": { type: "string" },
      "top-p": { type: "string" }, seed: { type: "string" }, stop: { type: "string", multiple: true }, ...json,
    },
    help: [
      "  --model FILE           a character model (.json + .safetensors); default: the embedded char-LSTM",
      "  --length N             characters to generate (default 400)",
      "  --temperature T        0 = greedy; default 0.8",
      "  --top-k K              sample among the K likeliest characters",
      "  --top-p P              sample among the likeliest characters holding probability P",
      "  --seed S               same seed, same text",
      "  --stop STR             stop when STR appears, without printing it (repeatable);",
      "                         the embedded model ends each fortune with \"\\n%\"",
      jsonHelp,
    ],
  },
  {
    name: "run",
    usage: "rnn-wasm run MODEL --input FILE [options]",
    summary: "run a model (.onnx, .safetensors, TF.js model.json) on an input (.json, .npy or .csv)",
    options: { input: { type: "string" }, output: { type: "string" }, stream: { type: "boolean" }, lengths: { type: "string" }, ...json },
    help: [
      "  --input FILE           JSON (array, {dims, data} or {name: …}), .npy, or CSV (one step per line)",
      "  --output FILE          write outputs to FILE: .npy (main output; others as FILE.<name>.npy) or .json",
      "  --stream               feed the input one time step at a time through model.stream()",
      "  --lengths A,B,…        sequence length of each batch row",
      "  --json                 outputs as JSON on stdout (the default when there is no --output)",
    ],
  },
  {
    name: "inspect",
    usage: "rnn-wasm inspect MODEL [options]",
    summary: "show a model's layers, shapes, parameter count, bytes and the kernels that run",
    options: { ...json },
    help: [jsonHelp],
  },
  {
    name: "bench",
    usage: "rnn-wasm bench [options]",
    summary: "a short self-benchmark: µs per step, ms per sequence and GFLOP/s for the issue-7 workloads",
    options: { seconds: { type: "string" }, only: { type: "string" }, ...json },
    help: ["  --seconds N            total time budget (default 10)", "  --only W1,W2           run only these workloads", jsonHelp],
  },
];

export function commandHelp(c: Command): string {
  return [`${c.summary}\n`, `usage: ${c.usage}\n`, "options:", ...c.help, "  -h, --help             this help"].join("\n");
}

export function mainHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `rnn-wasm ${version} — recurrent neural networks (LSTM, GRU, RNN) in WebAssembly SIMD\n`,
    "usage: rnn-wasm <command> [options]\n",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "\nrnn-wasm <command> --help shows a command's options.",
  ].join("\n");
}
