// The stages a model is made of, shared by the model and its stream.
import type { Activation } from "../layers/activations.js";
import type { RecurrentLayer } from "../layers/recurrent-layer.js";
import type { Runtime } from "../runtime/runtime.js";
import type { Dense } from "./dense.js";
import type { Embedding } from "./embedding.js";

export type Stage =
  | { kind: "embedding"; embedding: Embedding; maskZero: boolean }
  | { kind: "masking"; maskValue: number }
  | {
      kind: "recurrent"; layer: RecurrentLayer; returnSequences: boolean;
      merge: "concat" | "sum" | "mul" | "ave"; goBackwards: boolean; maskZero: boolean;
    }
  | { kind: "dense"; dense: Dense }
  | { kind: "activation"; activation: Activation }
  | { kind: "softmax"; log: boolean }
  | { kind: "lastStep" };

/** What a model stream needs from its model. */
export interface StageSource {
  readonly runtime: Runtime;
  readonly stages: readonly Stage[];
  readonly inputKind: "tokens" | "features";
  readonly inputSize: number;
  readonly outputSize: number;
  check(): void;
}
