// ONNX recurrent test cases as layer specs plus run inputs and expected outputs: the ONNX
// backend node tests (../shared/conformance/onnx-backend/: model.onnx + test_data_set_0/*.pb)
// and the onnxruntime fixtures (test/fixtures/onnxruntime/). Used by the reference test and by
// the kernel test, so both check exactly the same cases.
import { readdirSync, readFileSync } from "node:fs";
import { type OnnxTensor, decodeModel, decodeTensor, tensorToFloat32, tensorToInt32 } from "../../src/import/onnx/proto.js";
import { recurrentInputNames, recurrentOutputNames, recurrentSpecFromNode } from "../../src/import/onnx/recurrent-node.js";
import type { RecurrentLayerSpec } from "../../src/layers/spec.js";
import { loadOrtFixtures, ortFixtureNode } from "./onnxruntime-fixtures.js";

export interface OnnxCase {
  name: string;
  spec: RecurrentLayerSpec;
  X: { data: Float32Array; dims: number[] };
  T: number;
  B: number;
  seqLens?: Int32Array;
  initialH?: { data: Float32Array; dims: number[] };
  initialC?: { data: Float32Array; dims: number[] };
  expected: Partial<Record<"Y" | "Y_h" | "Y_c", { data: Float32Array; dims: number[] }>>;
}

export const CONFORMANCE_DIR = new URL("../../../shared/conformance/onnx-backend/", import.meta.url);

const f32 = (t: OnnxTensor | undefined) => t && { data: tensorToFloat32(t), dims: [...t.dims] };

/** Every case of ONNX's own backend tests for LSTM, GRU and RNN. */
export function loadBackendCases(): OnnxCase[] {
  return readdirSync(CONFORMANCE_DIR).filter((d) => d.startsWith("test_")).sort().map((dir) => {
    const { graph } = decodeModel(new Uint8Array(readFileSync(new URL(`${dir}/model.onnx`, CONFORMANCE_DIR))));
    const node = graph.nodes[0];
    const data = new URL(`${dir}/test_data_set_0/`, CONFORMANCE_DIR);
    // Inputs and outputs are stored in graph order; their names are inside each TensorProto.
    const tensors = new Map<string, OnnxTensor>();
    for (const f of readdirSync(data)) {
      const t = decodeTensor(new Uint8Array(readFileSync(new URL(f, data))));
      tensors.set(t.name, t);
    }
    const get = (name?: string) => (name === undefined ? undefined : tensors.get(name) ?? graph.initializers.find((t) => t.name === name));
    const names = recurrentInputNames(node);
    const W = get(names.W)!, R = get(names.R)!;
    const spec = recurrentSpecFromNode(
      node, { W: tensorToFloat32(W), R: tensorToFloat32(R), B: f32(get(names.B))?.data, P: f32(get(names.P))?.data }, { W: W.dims, R: R.dims },
    );
    const X = f32(get(names.X))!;
    const [T, B] = spec.layout === 1 ? [X.dims[1], X.dims[0]] : [X.dims[0], X.dims[1]];
    const lens = get(names.sequence_lens);
    const outs = recurrentOutputNames(node);
    const expected: OnnxCase["expected"] = {};
    for (const key of ["Y", "Y_h", "Y_c"] as const) {
      const t = f32(get(outs[key]));
      if (t) expected[key] = t;
    }
    return {
      name: dir, spec, X, T, B, seqLens: lens && tensorToInt32(lens),
      initialH: f32(get(names.initial_h)), initialC: f32(get(names.initial_c)), expected,
    };
  });
}

/** The onnxruntime fixtures (layout 0: onnxruntime rejects layout 1). */
export function loadOrtCases(): OnnxCase[] {
  return loadOrtFixtures().map((f) => {
    const { W, R, B, P, X } = f.inputs;
    const spec = recurrentSpecFromNode(ortFixtureNode(f), { W: W.data, R: R.data, B: B?.data, P: P?.data }, { W: W.dims, R: R.dims });
    const expected: OnnxCase["expected"] = {};
    for (const key of ["Y", "Y_h", "Y_c"] as const) if (f.outputs[key]) expected[key] = f.outputs[key];
    return {
      name: f.name, spec, X, T: X.dims[0], B: X.dims[1], seqLens: f.inputs.sequence_lens?.data,
      initialH: f.inputs.initial_h, initialC: f.inputs.initial_c, expected,
    };
  });
}
