// The kernels for a thread pool: the same bytes with the memory import marked shared.
// WebAssembly only links a shared memory to a module that declares its import shared (with a
// maximum), and the kernels' few atomics (the step barrier) work on either kind, so rewriting that one limits entry turns the bundled
// build into its threaded twin without shipping a second copy of each build (≈ 11 KB apiece).
const IMPORT_SECTION = 2;
const KIND_FUNC = 0, KIND_TABLE = 1, KIND_MEMORY = 2, KIND_GLOBAL = 3;
/** limits flags: 0 = min, 1 = min + max, 3 = min + max, shared. */
const SHARED_WITH_MAX = 3;
/** 65536 pages = 4 GiB, wasm32's whole address space: any shared memory we create fits under it. */
const MAX_PAGES = 65536;

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

class Unfit extends Error {}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  parts.reduce((at, part) => (out.set(part, at), at + part.length), 0);
  return out;
}

/**
 * Returns a copy of `bytes` whose imported memory is shared with maximum 4 GiB, or undefined
 * when the bytes are not a module importing one memory (then the runtime stays single-threaded).
 */
export function shareMemoryImport(bytes: Uint8Array): Uint8Array<ArrayBuffer> | undefined {
  try {
    return patch(bytes);
  } catch (e) {
    if (e instanceof Unfit) return undefined;
    throw e;
  }
}

function patch(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const fail = (why: string): never => {
    throw new Unfit(why);
  };
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) fail("not a module");
  let p = 8;
  const u32 = (): number => {
    let result = 0, shift = 0, byte: number;
    do {
      if (p >= bytes.length || shift > 28) fail("truncated module");
      byte = bytes[p++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  while (p < bytes.length) {
    const id = bytes[p++];
    const sizeAt = p;
    const size = u32();
    const start = p;
    if (id !== IMPORT_SECTION) {
      p = start + size;
      continue;
    }
    const count = u32();
    for (let i = 0; i < count; i++) {
      for (let name = 0; name < 2; name++) {
        const length = u32(); // module, then field name
        p += length;
      }
      const kind = bytes[p++];
      if (kind === KIND_FUNC) u32();
      else if (kind === KIND_GLOBAL) p += 2;
      else if (kind === KIND_TABLE || kind === KIND_MEMORY) {
        const limitsAt = p;
        if (kind === KIND_TABLE) p++;
        const flags = bytes[p++];
        const min = u32();
        if (flags & 1) u32();
        if (kind === KIND_TABLE) continue;
        const entry = Uint8Array.of(SHARED_WITH_MAX, ...leb(min), ...leb(MAX_PAGES));
        const before = bytes.subarray(start, limitsAt), after = bytes.subarray(p, start + size);
        // Typed-array copies: spreading the module into arrays cost ≈ 2 ms of start-up.
        return concat([bytes.subarray(0, sizeAt), Uint8Array.from(leb(before.length + entry.length + after.length)), before, entry, after, bytes.subarray(start + size)]);
      } else fail(`unknown import kind ${kind}`);
      if (p > start + size) fail("truncated import section");
    }
    break;
  }
  return fail("the module imports no memory");
}
