// Half-precision floats as stored in model files (safetensors F16, ONNX FLOAT16, TF.js float16
// quantisation, .npy <f2), widened to numbers. Shared by every importer and the CLI.

/** IEEE 754 binary16 → number (exact): sign, 5-bit exponent (bias 15), 10-bit fraction. */
export function halfToFloat(u: number): number {
  const sign = u & 0x8000 ? -1 : 1;
  const exp = (u >> 10) & 0x1f;
  const frac = u & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero and subnormals
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
