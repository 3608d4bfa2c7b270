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
  // The default build also proves threads: same bits on 1 and 2 threads (where there are 2).
  const threads = options.simd ? undefined : await runThreads(api);
  return { build: runtime.build, digest, floats, ok: cases.every((c) => c.ok), cases, threads };
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

/**
 * Layers big enough for the runtime to split them between threads (parallel-plan.ts): a
 * bidirectional layer (one direction per thread), layers the unit split cannot take (projection,
 * GRU with linear_before_reset = 0, Hp no multiple of 16: batch slices) and layers it takes, with
 * unequal lengths, peepholes, clip, masks and initial states.
 */
function threadCases() {
  const w = (n, k) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k + 0.5) / 3);
  const x = (T, B, I, k) => ({ data: w(T * B * I, k), dims: [T, B, I] });
  const lens = (B, T) => Array.from({ length: B }, (_, b) => (b * 37) % (T + 1) || T);
  return [
    {
      spec: { cell: "lstm", inputSize: 24, hiddenSize: 45, direction: "bidirectional", W: w(2 * 180 * 24, 1.1), R: w(2 * 180 * 45, 0.7), B: w(2 * 360, 0.3), P: w(2 * 135, 0.9), clip: 3 },
      X: x(70, 3, 24, 2.3), options: { sequenceLens: [70, 33, 1] },
    },
    {
      spec: { cell: "lstm", inputSize: 16, hiddenSize: 40, projSize: 13, W: w(160 * 16, 1.7), R: w(160 * 13, 0.5), B: w(320, 0.2), projection: w(13 * 40, 0.8) },
      X: x(60, 9, 16, 1.9), options: { sequenceLens: lens(9, 60), mask: Array.from({ length: 540 }, (_, i) => i % 7 !== 3) },
    },
    {
      spec: { cell: "gru", inputSize: 17, hiddenSize: 33, linearBeforeReset: true, W: w(99 * 17, 1.3), R: w(99 * 33, 0.6), B: w(198, 0.4) },
      X: x(50, 9, 17, 2.9), options: { sequenceLens: lens(9, 50), initialH: { data: w(9 * 33, 0.1), dims: [1, 9, 33] } },
    },
    {
      spec: { cell: "gru", inputSize: 20, hiddenSize: 40, direction: "reverse", W: w(120 * 20, 0.9), R: w(120 * 40, 1.2), B: w(240, 0.5) },
      X: x(80, 5, 20, 1.4), options: { sequenceLens: lens(5, 80) },
    },
    {
      spec: { cell: "rnn", inputSize: 30, hiddenSize: 64, activations: ["Relu"], W: w(64 * 30, 0.4), R: w(64 * 64, 0.3), B: w(128, 0.6) },
      X: x(90, 7, 30, 3.1), options: {},
    },
    // Split by units (each step's units between threads, a barrier between steps): B = 1 with
    // peepholes, clip, a mask and initial states; H = 61 (the last slice ends inside a vector)
    // with input_forget; a reverse GRU; an RNN whose H is no multiple of 16.
    {
      spec: { cell: "lstm", inputSize: 16, hiddenSize: 64, W: w(256 * 16, 1.2), R: w(256 * 64, 0.35), B: w(512, 0.3), P: w(192, 0.8), clip: 2.5 },
      X: x(120, 1, 16, 1.3),
      options: { mask: Array.from({ length: 120 }, (_, i) => i % 9 !== 4), initialH: { data: w(64, 0.3), dims: [1, 1, 64] }, initialC: { data: w(64, 0.7), dims: [1, 1, 64] } },
    },
    {
      spec: { cell: "lstm", inputSize: 9, hiddenSize: 61, inputForget: true, W: w(244 * 9, 0.7), R: w(244 * 61, 0.45), B: w(488, 0.2) },
      X: x(150, 3, 9, 2.2), options: { sequenceLens: [150, 77, 0], mask: Array.from({ length: 450 }, (_, i) => i % 5 !== 1) },
    },
    {
      spec: { cell: "gru", inputSize: 24, hiddenSize: 48, direction: "reverse", linearBeforeReset: true, W: w(144 * 24, 1.1), R: w(144 * 48, 0.5), B: w(288, 0.4) },
      X: x(120, 2, 24, 0.7), options: { sequenceLens: [120, 17] },
    },
    {
      spec: { cell: "rnn", inputSize: 40, hiddenSize: 150, W: w(150 * 40, 0.3), R: w(150 * 150, 0.15), B: w(300, 0.2) },
      X: x(100, 1, 40, 1.7), options: {},
    },
  ];
}

/** Streams big enough for a step to be split by units (recurrent-layer.ts makeStep). */
function streamCases() {
  const w = (n, k) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k + 0.25) / 3);
  return [
    { spec: { cell: "lstm", inputSize: 32, hiddenSize: 128, W: w(512 * 32, 0.9), R: w(512 * 128, 0.3), B: w(1024, 0.2) }, B: 2 },
    { spec: { cell: "gru", inputSize: 20, hiddenSize: 96, linearBeforeReset: true, W: w(288 * 20, 1.3), R: w(288 * 96, 0.4), B: w(576, 0.3) }, B: 4 },
    { spec: { cell: "rnn", inputSize: 50, hiddenSize: 200, activations: ["Tanh"], W: w(200 * 50, 0.6), R: w(200 * 200, 0.1), B: w(400, 0.5) }, B: 3 },
  ].map((c) => ({ ...c, X: w(30 * c.B * c.spec.inputSize, 2.7) }));
}

/**
 * Runs threadCases() and streamCases() on a runtime with 1 thread and on one with 2 (after its
 * workers are ready); returns the threads the second had and the digest of each run's outputs.
 */
export async function runThreads(api) {
  const digests = [];
  let ready = 0;
  for (const threads of [1, 2]) {
    const runtime = await api.createRuntime({ threads });
    ready = await runtime.threadsReady();
    const parts = [];
    try {
      for (const c of threadCases()) {
        const layer = await api.createLayer(c.spec, { runtime });
        const { Y, Y_h, Y_c } = await layer.run(c.X, c.options);
        for (const t of [Y, Y_h, Y_c]) if (t) parts.push(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice());
        layer.dispose();
      }
      for (const c of streamCases()) {
        const layer = await api.createLayer(c.spec, { runtime });
        const stream = layer.stream({ batchSize: c.B });
        const n = c.B * c.spec.inputSize;
        for (let t = 0; t < c.X.length / n; t++) parts.push(new Uint8Array(stream.step(c.X.subarray(t * n, (t + 1) * n)).slice().buffer));
        layer.dispose();
      }
    } finally {
      runtime.dispose();
    }
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
    const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
    digests.push(Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join(""));
  }
  return { ready, digests };
}
