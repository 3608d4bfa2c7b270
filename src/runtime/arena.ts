// The allocator over the kernels' linear memory. The kernels never allocate: every buffer they
// touch (packed weights, states, per-run workspaces) is a block handed out here, once.
// First fit over an address-ordered free list, coalescing on free; growth in whole pages.
import { DisposedError, ResourceLimitError } from "../errors.js";

const PAGE = 65536;
/** Blocks start on cache lines; the kernels' vector loads never straddle a block start. */
const ALIGN = 64;
/** Kernels read whole vectors at row ends (≤ 12 bytes past a row): every block keeps a tail. */
const SLACK = 16;
/** Address 0 stays unused so that a 0 pointer means "absent" to the kernels. */
const BASE = ALIGN;

interface Block {
  ptr: number;
  size: number;
}

export class Arena {
  readonly memory: WebAssembly.Memory;
  readonly maxBytes: number;
  private free: Block[] = [];
  private used = new Map<number, number>();
  private buffer: ArrayBuffer | SharedArrayBuffer;
  private f32View: Float32Array;
  private i32View: Int32Array;
  private u8View: Uint8Array;
  private disposed = false;
  /**
   * Bytes below this may hold old data; above it, memory is as grown: zero (the wasm spec), so
   * alloc need not clear it. A shared memory's typed-array fill is several times slower than an
   * unshared one's, and a layer's first blocks are mostly fresh memory.
   */
  private dirty: number;

  constructor(memory: WebAssembly.Memory, maxBytes: number) {
    this.memory = memory;
    this.maxBytes = maxBytes;
    this.buffer = memory.buffer;
    this.f32View = new Float32Array(this.buffer);
    this.i32View = new Int32Array(this.buffer);
    this.u8View = new Uint8Array(this.buffer);
    const end = memory.buffer.byteLength;
    this.dirty = end;
    if (end > BASE) this.free.push({ ptr: BASE, size: end - BASE });
  }

  /** Float32 view of all memory, rebuilt whenever growth replaced the buffer. */
  get f32(): Float32Array {
    this.refresh();
    return this.f32View;
  }

  get i32(): Int32Array {
    this.refresh();
    return this.i32View;
  }

  get u8(): Uint8Array {
    this.refresh();
    return this.u8View;
  }

  get bytesInUse(): number {
    let n = 0;
    for (const size of this.used.values()) n += size;
    return n;
  }

  get bytesReserved(): number {
    return this.memory.buffer.byteLength;
  }

  /** Reserves `bytes` (64-byte aligned, zero-filled); `what` names the buffer in errors. */
  alloc(bytes: number, what: string): number {
    if (this.disposed) throw new DisposedError("Runtime");
    if (!Number.isFinite(bytes) || bytes < 0) throw new ResourceLimitError(`${what}: cannot allocate ${bytes} bytes`);
    const size = Math.ceil((bytes + SLACK) / ALIGN) * ALIGN;
    let i = this.free.findIndex((b) => b.size >= size);
    if (i < 0) i = this.grow(size, what);
    const block = this.free[i];
    const ptr = block.ptr;
    if (block.size === size) this.free.splice(i, 1);
    else {
      block.ptr += size;
      block.size -= size;
    }
    this.used.set(ptr, size);
    if (ptr < this.dirty) new Uint8Array(this.memory.buffer, ptr, Math.min(size, this.dirty - ptr)).fill(0);
    this.dirty = Math.max(this.dirty, ptr + size);
    return ptr;
  }

  /** Bytes reserved for the block at ptr (0 if it is not allocated). */
  sizeOf(ptr: number): number {
    return this.used.get(ptr) ?? 0;
  }

  /** Returns a block; freeing 0 or an unknown pointer is a no-op (dispose may run twice). */
  release(ptr: number): void {
    const size = this.used.get(ptr);
    if (size === undefined) return;
    this.used.delete(ptr);
    let i = 0;
    while (i < this.free.length && this.free[i].ptr < ptr) i++;
    this.free.splice(i, 0, { ptr, size });
    this.coalesce(i);
    if (i > 0) this.coalesce(i - 1);
  }

  dispose(): void {
    this.disposed = true;
    this.used.clear();
    this.free = [];
  }

  private coalesce(i: number): void {
    const a = this.free[i];
    const b = this.free[i + 1];
    if (b && a.ptr + a.size === b.ptr) {
      a.size += b.size;
      this.free.splice(i + 1, 1);
    }
  }

  /** Grows memory so that a free block of `size` exists at the end; returns its index. */
  private grow(size: number, what: string): number {
    const end = this.memory.buffer.byteLength;
    const last = this.free[this.free.length - 1];
    const tailFree = last && last.ptr + last.size === end ? last.size : 0;
    const needed = Math.max(size - tailFree, 0);
    // Grow at least by half of what exists, so repeated small growth stays amortised.
    let pages = Math.ceil(Math.max(needed, end / 2) / PAGE);
    if (end + pages * PAGE > this.maxBytes) pages = Math.ceil(needed / PAGE);
    if (end + pages * PAGE > this.maxBytes) {
      throw new ResourceLimitError(
        `${what} needs ${size} bytes but memory would reach ${end + pages * PAGE} bytes, ` +
          `above maxMemoryBytes = ${this.maxBytes} (in use: ${this.bytesInUse})`,
      );
    }
    try {
      this.memory.grow(pages);
    } catch (cause) {
      throw new ResourceLimitError(`${what}: the engine refused to grow memory to ${end + pages * PAGE} bytes (${String(cause)})`);
    }
    if (tailFree > 0) last.size += pages * PAGE;
    else this.free.push({ ptr: Math.max(end, BASE), size: end + pages * PAGE - Math.max(end, BASE) });
    this.refresh();
    return this.free.length - 1;
  }

  private refresh(): void {
    if (this.memory.buffer !== this.buffer) {
      this.buffer = this.memory.buffer;
      this.f32View = new Float32Array(this.buffer);
      this.i32View = new Int32Array(this.buffer);
      this.u8View = new Uint8Array(this.buffer);
    }
  }
}
