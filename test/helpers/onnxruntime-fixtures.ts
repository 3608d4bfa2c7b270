// Reads the committed onnxruntime reference fixtures (test/fixtures/onnxruntime/*.json, made by
// scripts/fixtures/onnxruntime-fixtures.mjs): one ONNX LSTM / GRU / RNN node each, its
// attributes, inputs and onnxruntime's outputs.
import { readdirSync, readFileSync } from "node:fs";
import type { OnnxAttribute, OnnxNode } from "../../src/import/onnx/proto.js";
import { type DecodedTensor, type StoredTensor, decodeF32 } from "./fixture-io.js";

export type OrtOp = "LSTM" | "GRU" | "RNN";

/** ONNX attribute values as the node had them (floats are exact in float32). */
export type OrtAttributeValue = number | string | number[] | string[];

export interface OrtFixture {
  /** File name without ".json". */
  name: string;
  generator: string;
  op: OrtOp;
  opset: number;
  /** hidden_size always; direction, activations, activation_alpha/beta, clip, input_forget, linear_before_reset when set. */
  attributes: Record<string, OrtAttributeValue>;
  inputs: {
    X: DecodedTensor;
    W: DecodedTensor;
    R: DecodedTensor;
    B?: DecodedTensor;
    sequence_lens?: { dims: number[]; data: Int32Array };
    initial_h?: DecodedTensor;
    initial_c?: DecodedTensor;
    P?: DecodedTensor;
  };
  /** Y [T, dirs, B, H], Y_h [dirs, B, H], Y_c [dirs, B, H] (LSTM). */
  outputs: { Y: DecodedTensor; Y_h: DecodedTensor; Y_c?: DecodedTensor };
}

/** The folder holding the fixtures, as a file: URL. */
export const ORT_FIXTURE_DIR = new URL("../fixtures/onnxruntime/", import.meta.url);

interface RawFixture {
  generator: string;
  op: OrtOp;
  opset: number;
  attributes: Record<string, OrtAttributeValue>;
  inputs: Record<string, StoredTensor | { dims: number[]; data: number[] }>;
  outputs: Record<string, StoredTensor>;
}

const FLOAT_INPUTS = ["X", "W", "R", "B", "initial_h", "initial_c", "P"] as const;

function parseFixture(name: string, text: string): OrtFixture {
  const raw = JSON.parse(text) as RawFixture;
  if (raw.op !== "LSTM" && raw.op !== "GRU" && raw.op !== "RNN") {
    throw new Error(`onnxruntime fixture ${name}: unknown op ${JSON.stringify(raw.op)}`);
  }
  try {
    const inputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw.inputs)) {
      if (key === "sequence_lens") {
        const v = value as { dims: number[]; data: number[] };
        if (!Array.isArray(v.data) || v.data.length !== v.dims[0]) throw new Error(`sequence_lens: ${v.data.length} values for dims [${v.dims}]`);
        inputs[key] = { dims: [...v.dims], data: Int32Array.from(v.data) };
      } else if ((FLOAT_INPUTS as readonly string[]).includes(key)) {
        inputs[key] = decodeF32(value as StoredTensor);
      } else {
        throw new Error(`unknown input ${key}`);
      }
    }
    for (const required of ["X", "W", "R"]) if (!inputs[required]) throw new Error(`missing input ${required}`);
    const outputs: Record<string, DecodedTensor> = {};
    for (const [key, value] of Object.entries(raw.outputs)) outputs[key] = decodeF32(value);
    if (!outputs.Y || !outputs.Y_h || (raw.op === "LSTM") !== !!outputs.Y_c) throw new Error(`outputs ${Object.keys(outputs).join(", ")}`);
    return {
      name,
      generator: raw.generator,
      op: raw.op,
      opset: raw.opset,
      attributes: { ...raw.attributes },
      inputs: inputs as unknown as OrtFixture["inputs"],
      outputs: outputs as OrtFixture["outputs"],
    };
  } catch (e) {
    throw new Error(`onnxruntime fixture ${name}: ${(e as Error).message}`);
  }
}

let cache: OrtFixture[] | undefined;

/** Every fixture in test/fixtures/onnxruntime/, sorted by name. Decoded once per process. */
export function loadOrtFixtures(): OrtFixture[] {
  if (cache === undefined) {
    const files = readdirSync(ORT_FIXTURE_DIR).filter((f) => f.endsWith(".json")).sort();
    cache = files.map((f) => parseFixture(f.slice(0, -5), readFileSync(new URL(f, ORT_FIXTURE_DIR), "utf8")));
  }
  return cache;
}

/** The fixture's node as the ONNX importer sees it (attribute types as onnx.proto gives them). */
export function ortFixtureNode(f: OrtFixture): OnnxNode {
  const attributes = new Map<string, OnnxAttribute>();
  for (const [key, v] of Object.entries(f.attributes)) {
    if (typeof v === "string") attributes.set(key, { type: "string", value: v });
    else if (key === "activations") attributes.set(key, { type: "strings", value: v as string[] });
    else if (Array.isArray(v)) attributes.set(key, { type: "floats", value: v as number[] });
    else if (key === "clip") attributes.set(key, { type: "float", value: v });
    else attributes.set(key, { type: "int", value: v });
  }
  const inputs = ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"].map((n) => (n in f.inputs ? n : ""));
  while (inputs.at(-1) === "") inputs.pop();
  return { name: f.name, opType: f.op, domain: "", inputs, outputs: Object.keys(f.outputs), attributes };
}
