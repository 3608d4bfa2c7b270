// The conformance run, identical in every runtime (Node ESM and CJS, Deno, Chromium, workerd):
// given the built package's exports and the bundle that test/platforms/conformance.ts writes,
// run every case, check it against its reference (|a − e| ≤ 1e-5 + 1e-4·|e|; ONNX backend cases
// give some outputs only) and hash all outputs (SHA-256 of their float32 bytes, case by case,
// output by output, in bundle order).
// Plain JavaScript with no imports: it must load unchanged in a browser page and in a Worker.

/** Parses the bundle: every { f32: base64 } object becomes a Float32Array. */
export function parseBundle(text) {
  return JSON.parse(text, (_key, value) => {
    if (value === null || typeof value !== "object" || typeof value.f32 !== "string") return value;
    const raw = atob(value.f32);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return new Float32Array(bytes.buffer); // little-endian, as every WebAssembly engine
  });
}

/** Runs every case of the bundle on a fresh runtime of `api` (the package's exports). */
export async function runConformance(api, bundle, options = {}) {
  const runtime = await api.createRuntime({ simd: options.simd });
  const parts = [];
  const cases = [];
  let floats = 0;
  try {
    for (const c of bundle.cases) {
      const outputs = await RUN[c.kind](api, runtime, c);
      let maxAbsError = 0;
      let worst = 0; // largest |a − e| / (atol + rtol·|e|): the case passes when ≤ 1
      let compared = 0;
      for (const [name, actual] of outputs) {
        parts.push(new Uint8Array(actual.buffer, actual.byteOffset, actual.byteLength).slice());
        floats += actual.length;
        const expected = c.expected[name]; // every output is hashed, those with a reference compared
        if (!expected) continue;
        if (actual.length !== expected.length) throw new Error(`${c.name} ${name}: ${actual.length} values, expected ${expected.length}`);
        compared++;
        for (let i = 0; i < actual.length; i++) {
          const d = Math.abs(actual[i] - expected[i]);
          const ratio = d / (1e-5 + 1e-4 * Math.abs(expected[i]));
          if (!(ratio <= worst)) worst = Number.isNaN(ratio) ? Infinity : ratio;
          if (d > maxAbsError) maxAbsError = d;
        }
      }
      cases.push({ name: c.name, ok: compared > 0 && worst <= 1, maxAbsError, worst });
    }
  } finally {
    runtime.dispose();
  }
  const all = new Uint8Array(floats * 4);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  const digest = Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
  return { build: runtime.build, digest, floats, ok: cases.every((c) => c.ok), cases };
}

/** Each case kind returns its outputs as [name, Float32Array] pairs, in a fixed order. */
const RUN = {
  // PyTorch state_dict → fromPyTorch → a stacked Model, as test/layers/torch.test.ts does.
  async torch(api, runtime, c) {
    const specs = api.fromPyTorch(c.config, c.stateDict);
    const model = await api.createModel({ layers: specs.map((s) => ({ type: "recurrent", ...s })), batchFirst: c.batchFirst }, { runtime });
    const dirs = c.config.bidirectional ? 2 : 1;
    const H = c.config.hiddenSize;
    const S = c.config.projSize || H;
    const B = c.input.dims[c.batchFirst ? 0 : 1];
    // h0/c0 are [layers·dirs, B, n]: layer k owns rows k·dirs … k·dirs + dirs − 1.
    const slice = (t, k, n) => (t ? { data: t.data.slice(k * dirs * B * n, (k + 1) * dirs * B * n), dims: [dirs, B, n] } : undefined);
    const out = await model.run(c.input, {
      sequenceLens: c.lengths ?? undefined,
      initialStates: specs.map((_, k) => ({ h: slice(c.h0, k, S), c: slice(c.c0, k, H) })),
    });
    const hn = new Float32Array(specs.length * dirs * B * S);
    out.states.forEach((s, k) => hn.set(s.h.data, k * dirs * B * S));
    const result = [["output", out.output.data], ["h_n", hn]];
    if (c.expected.c_n) {
      const cn = new Float32Array(specs.length * dirs * B * H);
      out.states.forEach((s, k) => cn.set(s.c.data, k * dirs * B * H));
      result.push(["c_n", cn]);
    }
    model.dispose();
    return result;
  },

  // One ONNX-layout layer (createLayer), every knob in its spec and run options; Y, Y_h (, Y_c).
  async layer(api, runtime, c) {
    const layer = await api.createLayer(c.spec, { runtime });
    const { Y, Y_h, Y_c } = await layer.run(c.input, c.options);
    layer.dispose();
    return Y_c ? [["Y", Y.data], ["Y_h", Y_h.data], ["Y_c", Y_c.data]] : [["Y", Y.data], ["Y_h", Y_h.data]];
  },

  // The same layer fed one step per call: Y [T, B, S] from stream().step().
  async stream(api, runtime, c) {
    const layer = await api.createLayer(c.spec, { runtime });
    const [T, B, I] = c.input.dims;
    const stream = layer.stream({ batchSize: B, initialH: c.options.initialH, initialC: c.options.initialC });
    const n = c.expected.Y.length / T;
    const Y = new Float32Array(T * n);
    for (let t = 0; t < T; t++) Y.set(stream.step(c.input.data.subarray(t * B * I, (t + 1) * B * I)), t * n);
    stream.dispose();
    layer.dispose();
    return [["Y", Y]];
  },

  // A whole model (embedding, recurrent, dense, softmax) from its config.
  async model(api, runtime, c) {
    const model = await api.createModel(c.config, { runtime });
    const { output } = await model.run(c.input, c.options);
    model.dispose();
    return [["output", output.data]];
  },
};
