// A Keras model as an RnnModel: the core Model computes; this gives its results the Keras
// shape — named after the Keras layers, in Keras output order (return_state appends h, c per
// direction; Bidirectional merge_mode None splits the output into forward and backward).
import { InvalidArgumentError } from "../../errors.js";
import type { Model, ModelRunOptions } from "../../model/model.js";
import type { ModelStreamOptions } from "../../model/model-stream.js";
import type { Feeds, IOInfo, ModelInfo, RnnModel, StepStream, TokenTensor } from "../../model/rnn-model.js";
import type { Tensor } from "../../tensor.js";
import type { KerasOutput } from "./keras-layers.js";
import type { Producer } from "./topology.js";

export class KerasModel implements RnnModel {
  /** The core model that computes (batch-first, like Keras). */
  readonly model: Model;
  readonly inputName: string;
  readonly outputs: readonly KerasOutput[];
  /** Who wrote the model.json, when it says (decides hard_sigmoid and Bidirectional masks). */
  readonly producer: Producer | undefined;
  private readonly format: string;
  private readonly stageNames: readonly string[];

  constructor(model: Model, opts: { inputName: string; outputs: KerasOutput[]; stageNames: string[]; producer?: Producer; format: string }) {
    this.model = model;
    this.inputName = opts.inputName;
    this.outputs = opts.outputs;
    this.stageNames = opts.stageNames;
    this.producer = opts.producer;
    this.format = opts.format;
  }

  /** Keras's predict(): the outputs in Keras order; input [B, T, features] or token ids [B, T]. */
  async predict(input: Tensor | TokenTensor, options?: Pick<ModelRunOptions, "sequenceLens">): Promise<Tensor[]> {
    const { output, states } = await this.model.run(input, options);
    return this.outputs.map(({ source: s }) => {
      if (s.kind === "output") return output;
      if (s.kind === "half") {
        const F = output.dims.at(-1)! / 2;
        const rows = output.data.length / (2 * F);
        const data = new Float32Array(rows * F);
        for (let r = 0; r < rows; r++) data.set(output.data.subarray(r * 2 * F + s.half * F, r * 2 * F + (s.half + 1) * F), r * F);
        return { data, dims: [...output.dims.slice(0, -1), F] };
      }
      const t = states[s.layer][s.which]!; // [dirs, B, n]
      const [, B, n] = t.dims;
      return { data: t.data.slice(s.dir * B * n, (s.dir + 1) * B * n), dims: [B, n] };
    });
  }

  async runNamed(feeds: Feeds, options?: { sequenceLens?: ArrayLike<number> }): Promise<Record<string, Tensor>> {
    const names = Object.keys(feeds ?? {});
    if (names.length !== 1 || names[0] !== this.inputName) {
      throw new InvalidArgumentError(`runNamed: this model takes one input, ${JSON.stringify(this.inputName)}; found ${names.length ? names.join(", ") : "none"}`);
    }
    const results = await this.predict(feeds[this.inputName], options);
    return Object.fromEntries(this.outputs.map((o, i) => [o.name, results[i]]));
  }

  info(): ModelInfo {
    const core = this.model.info();
    const y = core.outputs[0];
    const outputs: IOInfo[] = this.outputs.map(({ name, source: s }) => {
      if (s.kind === "output") return { ...y, name };
      if (s.kind === "half") return { name, kind: "features", dims: [...y.dims.slice(0, -1), (y.dims.at(-1) as number) / 2] };
      const state = core.outputs.find((o) => o.name === `state.${s.layer}.${s.which}`)!;
      return { name, kind: "features", dims: state.dims.slice(1) };
    });
    return {
      ...core, format: this.format, outputs,
      inputs: [{ ...core.inputs[0], name: this.inputName }],
      layers: core.layers.map((l, i) => ({ ...l, name: this.stageNames[i] ?? l.name })),
    };
  }

  /** One step per call (forward layers only); step() returns the first output's values. */
  stream(options?: ModelStreamOptions): StepStream {
    return this.model.stream(options);
  }

  dispose(): void {
    this.model.dispose();
  }
}
