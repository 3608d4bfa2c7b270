// Embedding stage: token ids → rows of the embedding table, gathered inside linear memory.
import { InvalidArgumentError } from "../errors.js";
import type { Runtime } from "../runtime/runtime.js";
import type { EmbeddingConfig } from "./config.js";

export class Embedding {
  readonly vocabSize: number;
  readonly dim: number;
  private readonly runtime: Runtime;
  private readonly table: number;

  constructor(runtime: Runtime, config: EmbeddingConfig) {
    this.runtime = runtime;
    this.vocabSize = config.vocabSize;
    this.dim = config.dim;
    this.table = runtime.arena.alloc(config.weight.length * 4, "embedding table");
    runtime.arena.f32.set(config.weight, this.table >> 2);
  }

  get weightBytes(): number {
    return this.runtime.arena.sizeOf(this.table);
  }

  /** Checks that every id is an integer token id of this vocabulary. */
  check(ids: ArrayLike<number>): void {
    for (let i = 0; i < ids.length; i++) {
      const v = ids[i];
      if (!Number.isInteger(v) || v < 0 || v >= this.vocabSize) {
        throw new InvalidArgumentError(`token id at ${i}: expected an integer in [0, ${this.vocabSize - 1}] (vocabSize ${this.vocabSize}), found ${v}`);
      }
    }
  }

  /** Writes the row of ids[index(r)] to row r at `out`, for r < rows (ids already checked). */
  gather(ids: ArrayLike<number>, rows: number, out: number, index: (r: number) => number = (r) => r): void {
    const f32 = this.runtime.arena.f32;
    const D = this.dim;
    const t = this.table >> 2;
    const o = out >> 2;
    for (let r = 0; r < rows; r++) {
      const from = t + ids[index(r)] * D;
      f32.copyWithin(o + r * D, from, from + D);
    }
  }

  dispose(): void {
    this.runtime.arena.release(this.table);
  }
}
