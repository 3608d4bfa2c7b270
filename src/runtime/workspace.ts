// Named scratch blocks that persist across runs and only grow: the second run of a model with
// the same shapes allocates nothing.
import type { Arena } from "./arena.js";

export class Workspace {
  private readonly arena: Arena;
  private readonly blocks = new Map<string, { ptr: number; floats: number }>();

  constructor(arena: Arena) {
    this.arena = arena;
  }

  /** A block of at least `floats` floats (contents unspecified), byte offset. */
  get(name: string, floats: number): number {
    const have = this.blocks.get(name);
    if (have && have.floats >= floats) return have.ptr;
    if (have) this.arena.release(have.ptr);
    this.blocks.delete(name);
    const ptr = this.arena.alloc(Math.max(floats, 1) * 4, name);
    this.blocks.set(name, { ptr, floats });
    return ptr;
  }

  /** Frees every block. */
  release(): void {
    for (const { ptr } of this.blocks.values()) this.arena.release(ptr);
    this.blocks.clear();
  }
}
