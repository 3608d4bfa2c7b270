// PyTorch fixtures (scripts/fixtures/torch_fixtures.py): nn.LSTM / nn.GRU / nn.RNN state_dicts
// converted with fromPyTorch and stacked in a Model must reproduce PyTorch's outputs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromPyTorch } from "../../src/layers/torch-weights.js";
import { Model } from "../../src/model/model.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { expectClose, loadTorchFixtures } from "../helpers/fixture-io.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});
afterAll(() => rt.dispose());

const fixtures = loadTorchFixtures();

describe("PyTorch fixtures", () => {
  it("has the configurations the issue asks for", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
    expect(new Set(fixtures.map((f) => f.module))).toEqual(new Set(["LSTM", "GRU", "RNN"]));
    expect(fixtures.some((f) => f.lengths)).toBe(true);
    expect(fixtures.some((f) => f.config.num_layers === 3 && f.config.bidirectional)).toBe(true);
    expect(fixtures.some((f) => f.config.proj_size > 0)).toBe(true);
  });

  it.each(fixtures.map((f) => [f.name, f] as const))("%s", async (_name, f) => {
    const c = f.config;
    const dirs = c.bidirectional ? 2 : 1;
    const H = c.hidden_size;
    const S = c.proj_size || H;
    const specs = fromPyTorch(
      {
        module: f.module, inputSize: c.input_size, hiddenSize: H, numLayers: c.num_layers, bias: c.bias,
        bidirectional: c.bidirectional, nonlinearity: c.nonlinearity, projSize: c.proj_size,
      },
      f.stateDict,
    );
    const model = new Model(rt, { layers: specs.map((s) => ({ type: "recurrent" as const, ...s })), batchFirst: c.batch_first });
    const B = c.batch_first ? f.input.dims[0] : f.input.dims[1];
    // h0/c0 are [layers·dirs, B, S or H]: layer k owns rows k·dirs … k·dirs + dirs − 1.
    const slice = (t: { data: Float32Array } | null, k: number, n: number) =>
      t ? { data: t.data.slice(k * dirs * B * n, (k + 1) * dirs * B * n), dims: [dirs, B, n] } : undefined;
    const out = await model.run(f.input, {
      sequenceLens: f.lengths ?? undefined,
      initialStates: specs.map((_, k) => ({ h: slice(f.h0, k, S), c: slice(f.c0, k, H) })),
    });
    expect(out.output.dims).toEqual(f.output.dims);
    expectClose(out.output.data, f.output.data, `${f.name} output`);
    const hn = new Float32Array(f.h_n.data.length);
    out.states.forEach((s, k) => hn.set(s.h.data, k * dirs * B * S));
    expectClose(hn, f.h_n.data, `${f.name} h_n`);
    if (f.c_n) {
      const cn = new Float32Array(f.c_n.data.length);
      out.states.forEach((s, k) => cn.set(s.c!.data, k * dirs * B * H));
      expectClose(cn, f.c_n.data, `${f.name} c_n`);
    }
    model.dispose();
  });
});
