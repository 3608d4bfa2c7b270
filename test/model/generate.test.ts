// Sampling (temperature, top-k, top-p, seeds) and text generation with a character model.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors.js";
import { generate, generateText } from "../../src/model/generate.js";
import { Model } from "../../src/model/model.js";
import { sampleIndex, seededRandom } from "../../src/model/sampling.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { rng, uniform } from "../helpers/random.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});
afterAll(() => rt.dispose());

const logp = (ps: number[]) => ps.map(Math.log);

describe("sampleIndex", () => {
  it("temperature 0 and topK 1 are argmax; NaN scores are never picked", () => {
    const r = seededRandom(1);
    expect(sampleIndex([0.1, 3, -2, 2.9], { temperature: 0 }, r)).toBe(1);
    expect(sampleIndex([0.1, 3, -2, 2.9], { topK: 1 }, r)).toBe(1);
    expect(sampleIndex([NaN, 1, NaN], {}, r)).toBe(1);
    expect(() => sampleIndex([NaN, NaN], {}, r)).toThrow(InvalidArgumentError);
  });

  it("draws follow the distribution; top-k and top-p cut the tail", () => {
    const p = [0.5, 0.3, 0.15, 0.05];
    const count = (o: object, n = 20000) => {
      const r = seededRandom(7);
      const c = [0, 0, 0, 0];
      for (let i = 0; i < n; i++) c[sampleIndex(logp(p), o, r)]++;
      return c.map((v) => v / n);
    };
    count({}).forEach((f, i) => expect(Math.abs(f - p[i])).toBeLessThan(0.015));
    const k2 = count({ topK: 2 });
    expect(k2[2] + k2[3]).toBe(0);
    expect(Math.abs(k2[0] - 0.625)).toBeLessThan(0.015);
    const p8 = count({ topP: 0.75 });
    expect(p8[2] + p8[3]).toBe(0);
    const hot = count({ temperature: 2 });
    expect(hot[3]).toBeGreaterThan(0.09); // flatter: the tail gains
  });

  it("the same seed gives the same sequence; another seed another", () => {
    const scores = uniform(rng(1), 50, 2);
    const seq = (seed: number) => {
      const r = seededRandom(seed);
      return Array.from({ length: 30 }, () => sampleIndex(scores, { temperature: 1.2 }, r));
    };
    expect(seq(42)).toEqual(seq(42));
    expect(seq(42)).not.toEqual(seq(43));
  });
});

describe("generate", () => {
  const vocab = "\nabcdefgh .";
  function charModel(softmax: "logSoftmax" | "softmax" = "logSoftmax"): Model {
    const rand = rng(5);
    const V = vocab.length, D = 6, H = 12;
    return new Model(rt, {
      layers: [
        { type: "embedding", vocabSize: V, dim: D, weight: uniform(rand, V * D) },
        { type: "recurrent", cell: "lstm", inputSize: D, hiddenSize: H, W: uniform(rand, 4 * H * D), R: uniform(rand, 4 * H * H), B: uniform(rand, 8 * H) },
        { type: "dense", inputSize: H, outputSize: V, weight: uniform(rand, V * H, 3), bias: uniform(rand, V) },
        { type: softmax },
      ],
    });
  }

  it("is deterministic with a seed, streams one character at a time, and respects maxLength", () => {
    const model = charModel();
    const a = generateText({ model, vocab }, { prompt: "abc", seed: 3, maxLength: 40 });
    const b = generateText({ model, vocab }, { prompt: "abc", seed: 3, maxLength: 40 });
    expect(a).toBe(b);
    expect(a).toHaveLength(40);
    expect(generateText({ model, vocab }, { prompt: "abc", seed: 4, maxLength: 40 })).not.toBe(a);
    const it = generate({ model, vocab }, { seed: 3, prompt: "abc", maxLength: 40 });
    expect(it.next().value).toBe(a[0]);
    it.return(undefined); // stopping early frees the stream
    model.dispose();
  });

  it("greedy generation equals the argmax of a whole-sequence run over what it produced", async () => {
    for (const out of ["logSoftmax", "softmax"] as const) {
      const model = charModel(out);
      const text = generateText({ model, vocab }, { prompt: "ab", temperature: 0, maxLength: 12 });
      const ids = [...("ab" + text)].map((c) => vocab.indexOf(c));
      const run = await model.run({ data: ids, dims: [ids.length, 1] });
      for (let t = 1; t < ids.length - 1; t++) {
        const row = Array.from(run.output.data.subarray(t * vocab.length, (t + 1) * vocab.length));
        if (t >= 1) expect(row.indexOf(Math.max(...row))).toBe(ids[t + 1]);
      }
      model.dispose();
    }
  });

  it("stops after a stop string; skips unknown prompt characters; validates options", () => {
    const model = charModel();
    const free = generateText({ model, vocab }, { seed: 9, maxLength: 200 });
    const stop = free.slice(5, 7);
    const stopped = generateText({ model, vocab }, { seed: 9, maxLength: 200, stop: ["zzz", stop] });
    expect(free.startsWith(stopped + stop)).toBe(true); // everything up to the stop string, without it
    expect(stopped.includes(stop)).toBe(false);
    // A stop string that never completes holds nothing back at the end.
    expect(generateText({ model, vocab }, { seed: 9, maxLength: 200, stop: "zzzzz" })).toBe(free);
    expect(generateText({ model, vocab }, { prompt: "aXb", seed: 1, maxLength: 5 })).toBe(generateText({ model, vocab }, { prompt: "ab", seed: 1, maxLength: 5 }));
    expect(() => generateText({ model, vocab }, { temperature: -1 })).toThrow(InvalidArgumentError);
    expect(() => generateText({ model, vocab }, { topP: 0 })).toThrow(InvalidArgumentError);
    expect(() => generateText({ model, vocab: "ab" })).toThrow(InvalidArgumentError);
    model.dispose();
  });
});
