// Text generation with a character model: feed the prompt one step at a time through a
// stream, then sample one character per step until a length or a stop string. A generator,
// so each character can be shown as soon as it exists.
import { InvalidArgumentError } from "../errors.js";
import type { Model } from "./model.js";
import { type SamplingOptions, checkSampling, sampleIndex, seededRandom } from "./sampling.js";

/** A model over character ids (Embedding first, scores per character last) and its vocabulary. */
export interface CharModel {
  model: Model;
  /** The character of each id, in id order. */
  vocab: string;
}

export interface GenerateOptions extends SamplingOptions {
  /** Text fed before generating; characters outside the vocabulary are skipped. */
  prompt?: string;
  /** Fed first when the prompt is empty (or has no known character); default "\n". */
  prime?: string;
  /** Characters to generate (default 200). */
  maxLength?: number;
  /** Same seed, same text. Default: a random seed. */
  seed?: number;
  /** Stop once the generated text ends with one of these; the stop string is not yielded. */
  stop?: string | string[];
}

/** Character ids of the known characters of text. */
export function encodeText(text: string, vocab: string): number[] {
  const ids: number[] = [];
  for (const ch of text) {
    const id = vocab.indexOf(ch);
    if (id >= 0) ids.push(id);
  }
  return ids;
}

export function* generate(cm: CharModel, options: GenerateOptions = {}): Generator<string, void, undefined> {
  const { model, vocab } = cm;
  checkSampling(options);
  const maxLength = options.maxLength ?? 200;
  if (!Number.isInteger(maxLength) || maxLength < 0) throw new InvalidArgumentError(`maxLength: expected an integer ≥ 0, found ${maxLength}`);
  if (model.inputKind !== "tokens") throw new InvalidArgumentError("generate: the model must start with an embedding over character ids");
  if (model.outputSize !== vocab.length) {
    throw new InvalidArgumentError(`generate: the model scores ${model.outputSize} tokens but the vocabulary has ${vocab.length} characters`);
  }
  const stops = options.stop === undefined ? [] : Array.isArray(options.stop) ? options.stop : [options.stop];
  const random = seededRandom(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  // A softmax output holds probabilities: sample on their logarithms.
  const last = model.stages[model.stages.length - 1];
  const probabilities = last.kind === "softmax" && !last.log;
  let ids = encodeText(options.prompt ?? "", vocab);
  if (ids.length === 0) ids = encodeText(options.prime ?? "\n", vocab);
  if (ids.length === 0) throw new InvalidArgumentError("generate: neither the prompt nor the prime has a character of the vocabulary");
  const stream = model.stream();
  const scores = new Float64Array(vocab.length);
  try {
    let out: Float32Array | undefined;
    for (const id of ids) out = stream.step([id]);
    // Characters that could still turn out to start a stop string wait in `held`.
    let held = "";
    for (let n = 0; n < maxLength; n++) {
      for (let i = 0; i < scores.length; i++) scores[i] = probabilities ? Math.log(out![i]) : out![i];
      const id = sampleIndex(scores, options, random);
      held += vocab[id];
      if (stops.some((s) => s.length > 0 && held.endsWith(s))) {
        const stop = stops.find((s) => s.length > 0 && held.endsWith(s))!;
        yield* held.slice(0, held.length - stop.length);
        return;
      }
      let keep = 0; // longest suffix of held that is a proper prefix of a stop string
      for (const s of stops) for (let k = Math.min(s.length - 1, held.length); k > keep; k--) if (s.startsWith(held.slice(held.length - k))) keep = k;
      yield* held.slice(0, held.length - keep);
      held = held.slice(held.length - keep);
      out = stream.step([id]);
    }
    yield* held;
  } finally {
    stream.dispose();
  }
}

/** All of generate() as one string. */
export function generateText(cm: CharModel, options: GenerateOptions = {}): string {
  let text = "";
  for (const ch of generate(cm, options)) text += ch;
  return text;
}
