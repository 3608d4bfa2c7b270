// The embedded character LSTM (models/, made by scripts/train/) against PyTorch's own outputs
// for the same float16 weights (models/char-lstm.reference.json, scripts/train/make_reference.py):
// next-character log-probabilities after every prompt character, the states, greedy continuations.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SafetensorsModel, loadModel } from "../../src/import/safetensors/index.js";
import { generateText } from "../../src/model/generate.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { expectClose } from "../helpers/fixture-io.js";

const file = (name: string) => readFileSync(new URL(`../../models/${name}`, import.meta.url));
const reference = JSON.parse(file("char-lstm.reference.json").toString("utf8")) as {
  modelSha256: string;
  cases: { prompt: string; promptIds: number[]; logProbs: number[][]; state: { h: number[][]; c: number[][] }; greedy: { ids: number[]; text: string } }[];
};

let rt: Runtime;
let model: SafetensorsModel;
beforeAll(async () => {
  rt = await Runtime.create();
  model = await loadModel({ safetensors: new Uint8Array(file("char-lstm.safetensors")), config: file("char-lstm.json").toString("utf8") }, { runtime: rt });
});
afterAll(() => rt.dispose());

describe("embedded char-LSTM vs PyTorch", () => {
  it("the reference was made from exactly these weights", () => {
    expect(createHash("sha256").update(file("char-lstm.safetensors")).digest("hex")).toBe(reference.modelSha256);
  });

  it.each(reference.cases.map((c) => [JSON.stringify(c.prompt), c] as const))("prompt %s: log-probabilities, states, greedy text", async (_, c) => {
    const ids = c.promptIds;
    const { output, states } = await model.run({ data: ids, dims: [1, ids.length] });
    const V = output.dims[output.dims.length - 1];
    c.logProbs.forEach((want, t) => {
      const row = Array.from(output.data.subarray(t * V, (t + 1) * V));
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      expectClose(row.map((v) => v - lse), want, `log p after ${t + 1} characters`);
    });
    states.forEach((s, k) => {
      expectClose(s.h.data, c.state.h[k], `layer ${k} h`);
      expectClose(s.c!.data, c.state.c[k], `layer ${k} c`);
    });
    const vocab = model.sourceConfig.vocab as string;
    const text = generateText({ model, vocab }, { prompt: c.prompt, temperature: 0, maxLength: c.greedy.ids.length });
    expect(text).toBe(c.greedy.text);
  });
});
