// A first run of rnn-wasm: a bidirectional LSTM over a sequence, then a forward LSTM streamed
// one step at a time. Weights are random here; see the README for PyTorch/Keras/ONNX weights.
// Run with `npm start` (it builds dist/ first) or `node examples/quickstart.mjs`.
import { createLayer } from "../dist/index.js";

// Deterministic pseudo-random weights, so every run prints the same numbers.
let seed = 1;
const random = (n, scale = 0.3) =>
  Float32Array.from({ length: n }, () => (((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1) * scale);

const [I, H, T, B] = [8, 16, 50, 2];
const bilstm = await createLayer({
  cell: "lstm", inputSize: I, hiddenSize: H, direction: "bidirectional",
  W: random(2 * 4 * H * I), R: random(2 * 4 * H * H), B: random(2 * 8 * H),
});
const X = { data: random(T * B * I, 1), dims: [T, B, I] };
const { Y, Y_h, Y_c } = await bilstm.run(X, { sequenceLens: [50, 31] });
console.log(`bidirectional LSTM: X [${X.dims}] → Y [${Y.dims}], Y_h [${Y_h.dims}], Y_c [${Y_c.dims}]`);
console.log(`  Y_h (forward, row 0): ${Array.from(Y_h.data.subarray(0, 6), (v) => v.toFixed(4)).join(" ")} …`);

const lstm = await createLayer({ cell: "lstm", inputSize: I, hiddenSize: H, W: random(4 * H * I), R: random(4 * H * H) });
const stream = lstm.stream();
const steps = 10_000;
const x = random(I, 1);
const start = performance.now();
let h;
for (let t = 0; t < steps; t++) h = stream.step(x);
const us = ((performance.now() - start) * 1000) / steps;
console.log(`streaming LSTM (I=${I}, H=${H}): ${steps} steps, ${us.toFixed(2)} µs/step, h[0..3] = ${Array.from(h.subarray(0, 4), (v) => v.toFixed(4)).join(" ")}`);

stream.dispose();
lstm.dispose();
bilstm.dispose();
