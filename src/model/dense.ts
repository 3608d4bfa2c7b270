// Dense (Linear) stage: y = act(x·Wᵀ + b) for every row, through f32_gemm_2x16.
// Output rows are ceil16(outputSize) floats apart (the GEMM writes whole 16-column panels).
import { ACTIVATION_IDS, type Activation, normalizeActivation } from "../layers/activations.js";
import { ceil16, packPanels, panelFloats } from "../layers/pack.js";
import { kernelError } from "../runtime/guard.js";
import type { Runtime } from "../runtime/runtime.js";
import type { DenseConfig } from "./config.js";

export class Dense {
  readonly inputSize: number;
  readonly outputSize: number;
  /** Row stride of the output, in floats. */
  readonly ld: number;
  private readonly runtime: Runtime;
  private readonly Wp: number;
  private readonly bias: number;
  readonly activation: Activation | undefined;
  /** Number of weights (W and bias). */
  readonly parameters: number;

  constructor(runtime: Runtime, config: DenseConfig) {
    this.runtime = runtime;
    this.inputSize = config.inputSize;
    this.outputSize = config.outputSize;
    this.ld = ceil16(config.outputSize);
    this.activation = config.activation === undefined ? undefined : normalizeActivation(config.activation);
    this.parameters = config.weight.length + (config.bias?.length ?? 0);
    const arena = runtime.arena;
    this.Wp = arena.alloc(panelFloats(this.outputSize, this.inputSize) * 4, "dense weights");
    try {
      this.bias = arena.alloc(this.ld * 4, "dense bias");
    } catch (e) {
      arena.release(this.Wp);
      throw e;
    }
    packPanels(arena.f32, this.Wp >> 2, config.weight, 0, this.inputSize, this.outputSize, (n) => n);
    if (config.bias) arena.f32.set(config.bias, this.bias >> 2);
  }

  get weightBytes(): number {
    return this.runtime.arena.sizeOf(this.Wp) + this.runtime.arena.sizeOf(this.bias);
  }

  /** M rows of inputSize floats at x (stride ldx) → M rows at y (stride ld). */
  forward(x: number, ldx: number, M: number, y: number): void {
    const k = this.runtime.kernels;
    try {
      k.f32_gemm_2x16(x, ldx, M, this.inputSize, this.Wp, this.bias, y, this.ld, this.ld);
      const a = this.activation;
      if (a) k.f32_activation(y, y, M * this.ld, ACTIVATION_IDS[a.name], a.alpha, a.beta);
    } catch (e) {
      throw kernelError(e);
    }
  }

  dispose(): void {
    this.runtime.arena.release(this.Wp);
    this.runtime.arena.release(this.bias);
  }
}
