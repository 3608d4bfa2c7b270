// The stages a model is made of, shared by the model and its stream.
import type { RecurrentLayer } from "../layers/recurrent-layer.js";
import type { Runtime } from "../runtime/runtime.js";
import type { Dense } from "./dense.js";
import type { Embedding } from "./embedding.js";

export type Stage =
  | { kind: "embedding"; embedding: Embedding }
  | { kind: "recurrent"; layer: RecurrentLayer; returnSequences: boolean }
  | { kind: "dense"; dense: Dense }
  | { kind: "softmax"; log: boolean };

/** What a model stream needs from its model. */
export interface StageSource {
  readonly runtime: Runtime;
  readonly stages: readonly Stage[];
  readonly inputKind: "tokens" | "features";
  readonly inputSize: number;
  readonly outputSize: number;
  check(): void;
}
