// `rnn-wasm generate [prompt]`: text from the embedded character LSTM, one character at a time.
import { fileURLToPath } from "node:url";
import { InvalidArgumentError } from "../errors.js";
import { generate } from "../model/generate.js";
import type { Runtime } from "../runtime/runtime.js";
import { loadModelFile } from "./load-model.js";
import { progress } from "./progress.js";

/** The embedded default model, shipped in the package beside dist/. */
export const DEFAULT_MODEL = fileURLToPath(new URL("../models/char-lstm.json", import.meta.url));

export interface GenerateArgs {
  prompt: string;
  model?: string;
  length?: string;
  temperature?: string;
  "top-k"?: string;
  "top-p"?: string;
  seed?: string;
  stop?: string[];
  json?: boolean;
}

export async function generateCommand(a: GenerateArgs, runtime: Runtime): Promise<void> {
  const loaded = await loadModelFile(a.model ?? DEFAULT_MODEL, runtime);
  if (!loaded.charModel) throw new InvalidArgumentError(`${a.model}: not a character model (its config has no "vocab")`);
  const maxLength = int(a.length, "length", 400);
  const seed = a.seed === undefined ? Math.floor(Math.random() * 2 ** 32) : int(a.seed, "seed", 0);
  // A char-model config may say how its texts start (the prime fed before an empty prompt).
  const config = (loaded.model as { sourceConfig?: Record<string, unknown> }).sourceConfig ?? {};
  const options = {
    prompt: a.prompt, maxLength, seed,
    prime: typeof config.bos === "string" ? config.bos : undefined,
    stop: a.stop,
    temperature: num(a.temperature, "temperature", 0.8), topK: int(a["top-k"], "top-k", 0), topP: num(a["top-p"], "top-p", 1),
  };
  const start = performance.now();
  let text = "";
  const bar = a.json ? progress("generating", maxLength) : undefined;
  if (!a.json) process.stdout.write(a.prompt); // the continuation follows the prompt
  for (const ch of generate(loaded.charModel, options)) {
    text += ch;
    if (a.json) bar!.update(text.length);
    else process.stdout.write(ch);
  }
  bar?.end();
  const seconds = (performance.now() - start) / 1000;
  const rate = text.length / seconds;
  if (a.json) {
    process.stdout.write(`${JSON.stringify({ prompt: a.prompt, text, characters: text.length, seconds, charactersPerSecond: rate, seed })}\n`);
  } else {
    process.stdout.write("\n");
    process.stderr.write(`${text.length} characters in ${seconds.toFixed(2)} s: ${rate.toFixed(0)} characters/s (seed ${seed})\n`);
  }
  loaded.model.dispose();
}

export function int(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`--${name}: expected an integer, found ${JSON.stringify(v)}`);
  return n;
}

export function num(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError(`--${name}: expected a number, found ${JSON.stringify(v)}`);
  return n;
}
