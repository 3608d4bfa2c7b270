// The list of kernels: every export here is called by src/runtime and covered by a test in
// test/kernels (test/kernels/exports.test.ts fails if one is missing).
export { f32_activation } from "./f32-activations";
export { f32_gemm_2x16 } from "./f32-gemm";
export { f32_lstm_seq } from "./f32-lstm";
export { f32_gru_seq } from "./f32-gru";
export { f32_rnn_seq } from "./f32-rnn";
export { f32_softmax } from "./f32-softmax";
export { f32_pack_panels } from "./f32-pack";
