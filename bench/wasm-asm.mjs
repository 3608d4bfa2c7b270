// A tiny WebAssembly assembler for the peak probes (peak.mjs): exactly the instructions we
// write, with no optimiser in between (an optimiser could fold, reorder or spill the chains
// the probes are about). Covers only what the probes use; opcodes from the WebAssembly core
// and SIMD specifications.

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

/** Unsigned and signed LEB128. */
export function uleb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n) {
  const out = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

const simd = (code, ...imm) => [0xfd, ...uleb(code), ...imm];

/** Instructions as byte arrays; concatenate them into a function body. */
export const op = {
  localGet: (i) => [0x20, ...uleb(i)],
  localSet: (i) => [0x21, ...uleb(i)],
  localTee: (i) => [0x22, ...uleb(i)],
  i32Const: (v) => [0x41, ...sleb(v)],
  f32Const: (v) => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32LtU: [0x49],
  loop: [0x03, 0x40], // loop with no result
  brIf: (depth) => [0x0d, ...uleb(depth)],
  end: [0x0b],
  v128Load: (offset) => simd(0x00, 4, ...uleb(offset)), // align 2^4
  f32x4Splat: simd(0x13),
  f32x4ExtractLane: (lane) => simd(0x1f, lane),
  f32x4Add: simd(0xe4),
  f32x4Mul: simd(0xe6),
  f32x4RelaxedMadd: simd(0x105),
};

const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];
const vec = (items) => [...uleb(items.length), ...items.flat()];
const name = (s) => vec([...new TextEncoder().encode(s)].map((b) => [b]));

/**
 * A module of functions { name, params, results, locals: [[count, type]], body } and,
 * if memoryPages > 0, one exported memory "memory" of that many 64 KiB pages.
 */
export function assemble({ funcs, memoryPages = 0 }) {
  const types = funcs.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
  const exports = funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]);
  if (memoryPages > 0) exports.push([...name("memory"), 0x02, 0]);
  const bodies = funcs.map((f) => {
    const body = [...vec((f.locals ?? []).map(([n, t]) => [...uleb(n), t])), ...f.body.flat(Infinity), ...op.end];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(3, vec(funcs.map((_, i) => uleb(i)))),
    ...(memoryPages > 0 ? section(5, vec([[0x00, ...uleb(memoryPages)]])) : []),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ]);
}
