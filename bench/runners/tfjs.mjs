// TensorFlow.js 4.22 with the cpu backend (plain JavaScript) or the wasm backend (SIMD; one
// thread in Node). LSTMs are tf.layers.lstm (stateful for stream steps, tf.layers.bidirectional
// for W3), as a tfjs user writes them, with recurrentActivation "sigmoid" (ONNX's f). tfjs's GRU
// layer rejects resetAfter (= ONNX linear_before_reset = 1), so GRUs are written with tf ops:
// one matMul for the input side of every step, then per step h·Rᵀ and the gate math.
import { CHECK_STEPS, layerInput } from "../workloads.mjs";

export async function load({ backend }) {
  const tf = await import("@tensorflow/tfjs");
  if (backend === "wasm") await import("@tensorflow/tfjs-backend-wasm");
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
  await tf.ready();
  let info = `tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}`;
  if (backend === "wasm") {
    const { getThreadsCount } = await import("@tensorflow/tfjs-backend-wasm");
    info += `, SIMD ${tf.env().getBool("WASM_HAS_SIMD_SUPPORT")}, ${getThreadsCount()} thread(s)`;
  }
  return { tf, info };
}

/** Keras gate g (i, f, c, o) is ONNX gate KERAS_TO_ONNX[g] (i, o, f, c). */
const KERAS_TO_ONNX = [0, 2, 3, 1];

/** ONNX LSTM weights of direction d → Keras [kernel [I, 4H], recurrent_kernel [H, 4H], bias [4H]]. */
function kerasLstm(tf, { W, R, B }, I, H, d) {
  const kernel = new Float32Array(I * 4 * H);
  const recurrent = new Float32Array(H * 4 * H);
  const bias = new Float32Array(4 * H);
  for (let g = 0; g < 4; g++) {
    const o = KERAS_TO_ONNX[g];
    for (let j = 0; j < H; j++) {
      const row = d * 4 * H + o * H + j;
      for (let k = 0; k < I; k++) kernel[k * 4 * H + g * H + j] = W[row * I + k];
      for (let k = 0; k < H; k++) recurrent[k * 4 * H + g * H + j] = R[row * H + k];
      bias[g * H + j] = B[d * 8 * H + o * H + j] + B[d * 8 * H + 4 * H + o * H + j];
    }
  }
  return [tf.tensor2d(kernel, [I, 4 * H]), tf.tensor2d(recurrent, [H, 4 * H]), tf.tensor1d(bias)];
}

/** data: { weights: [{ W, R, B } per layer], X [T, B, I] (or CHECK_STEPS frames of [B, I]) } */
export async function prepare({ tf }, w, data) {
  return w.cell === "gru" ? gru(tf, w, data) : lstm(tf, w, data);
}

function lstm(tf, w, data) {
  const { H, T, B, I } = w;
  const base = { units: H, recurrentActivation: "sigmoid", kernelInitializer: "zeros", recurrentInitializer: "zeros" };
  const model = tf.sequential();
  const weights = [];
  for (let k = 0; k < w.layers; k++) {
    const shape = k > 0 ? {} : w.step ? { batchInputShape: [B, 1, I] } : { inputShape: [T, I] };
    if (w.dirs === 2) model.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ ...base, returnSequences: true }), mergeMode: "concat", ...shape }));
    else model.add(tf.layers.lstm({ ...base, ...shape, returnSequences: !w.step, stateful: !!w.step }));
    for (let d = 0; d < w.dirs; d++) weights.push(...kerasLstm(tf, data.weights[k], layerInput(w, k), H, d));
  }
  model.setWeights(weights);
  tf.dispose(weights);
  if (w.step) {
    const frames = stepFrames(w, data.X);
    const step = (frame) => {
      const x = tf.tensor3d(frame, [B, 1, I]);
      const h = model.predict(x);
      const values = h.dataSync();
      tf.dispose([x, h]);
      return values;
    };
    return stepper(frames, step, () => model.resetStates(), () => model.dispose());
  }
  const X = batchMajor(data.X, T, B, I);
  return {
    async run() {
      const x = tf.tensor3d(X, [B, T, I]);
      const y = model.predict(x);
      const values = await y.data();
      tf.dispose([x, y]);
      return values;
    },
    // [B, T, dirs·H]; Keras aligns the backward direction's outputs with the input steps.
    at: (out) => (t, d, b, u) => out[(b * T + t) * w.dirs * H + d * H + u],
    close: () => model.dispose(),
  };
}

function gru(tf, w, data) {
  const { H, T, B, I } = w;
  if (w.dirs !== 1 || w.layers !== 1) throw new Error("the tfjs GRU runner covers one forward layer");
  const { W, R, B: bias } = data.weights[0];
  // ONNX W [3H, I] (z, r, h) → Wᵀ [I, 3H]; the recurrent h bias stays apart (inside r⊙(…)).
  const Wt = tf.keep(tf.transpose(tf.tensor2d(W, [3 * H, I])));
  const Rt = tf.keep(tf.transpose(tf.tensor2d(R, [3 * H, H])));
  const Wb = tf.keep(tf.tensor1d(bias.subarray(0, 3 * H)));
  const Rb = tf.keep(tf.tensor1d(bias.subarray(3 * H)));
  // z = σ(Xz + Hz), r = σ(Xr + Hr), h̃ = tanh(Xh + r⊙(H·Rhᵀ + Rbh)), H' = h̃ + z⊙(H − h̃)
  const cell = (xp, h) => {
    const hp = tf.add(tf.matMul(h, Rt), Rb);
    const [xz, xr, xh] = tf.split(xp, 3, 1);
    const [hz, hr, hh] = tf.split(hp, 3, 1);
    const z = tf.sigmoid(tf.add(xz, hz));
    const r = tf.sigmoid(tf.add(xr, hr));
    const n = tf.tanh(tf.add(xh, tf.mul(r, hh)));
    return tf.add(n, tf.mul(z, tf.sub(h, n)));
  };
  const close = () => tf.dispose([Wt, Rt, Wb, Rb]);
  if (w.step) {
    const frames = stepFrames(w, data.X);
    let h;
    const reset = () => {
      if (h) h.dispose();
      h = tf.zeros([B, H]);
    };
    reset();
    const step = (frame) => {
      const next = tf.tidy(() => cell(tf.add(tf.matMul(tf.tensor2d(frame, [B, I]), Wt), Wb), h));
      h.dispose();
      h = next;
      return h.dataSync();
    };
    return stepper(frames, step, reset, close);
  }
  return {
    async run() {
      const y = tf.tidy(() => {
        const xp = tf.add(tf.matMul(tf.tensor2d(data.X, [T * B, I]), Wt), Wb);
        const steps = tf.split(xp, T, 0);
        let h = tf.zeros([B, H]);
        const ys = [];
        for (let t = 0; t < T; t++) ys.push((h = cell(steps[t], h)));
        return tf.stack(ys);
      });
      const values = await y.data();
      y.dispose();
      return values;
    },
    // [T, B, H]
    at: (out) => (t, _d, b, u) => out[(t * B + b) * H + u],
    close,
  };
}

/** The CHECK_STEPS input frames [B × I]; each step makes its tensor, as a streaming app must. */
function stepFrames(w, X) {
  const n = w.B * w.I;
  return Array.from({ length: CHECK_STEPS }, (_, t) => X.subarray(t * n, (t + 1) * n));
}

function stepper(frames, step, reset, close) {
  let i = 0;
  return {
    steps(count) {
      for (let s = 0; s < count; s++) {
        step(frames[i]);
        i = (i + 1) % CHECK_STEPS;
      }
    },
    trace() {
      reset();
      const hs = frames.map((x) => Float32Array.from(step(x)));
      reset();
      i = 0;
      return hs;
    },
    close,
  };
}

/** [T, B, I] → [B, T, I] (Keras layers are batch-major). */
function batchMajor(X, T, B, I) {
  if (B === 1) return X;
  const out = new Float32Array(X.length);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) out.set(X.subarray((t * B + b) * I, (t * B + b + 1) * I), (b * T + t) * I);
  return out;
}
