// TensorFlow 1 BasicLSTMCell / LSTMBlockCell checkpoints (magenta.js, ml5 char-RNN), described by
// a small config, → the core model config. Each cell stores
//   kernel [I + H, 4H] (input rows, then recurrent rows), gate columns i, j, f, o; bias [4H]
//   c = σ(f + forget_bias)⊙c + σ(i)⊙tanh(j);  h = σ(o)⊙tanh(c)
// so W = kernel[:I]ᵀ and R = kernel[I:]ᵀ with blocks [0, 3, 2, 1] → ONNX i, o, f, c, and
// Wb = bias (same blocks) with forget_bias added to f; Rb = 0.
//
// The config ("format": "rnn-wasm/tf1-basic-lstm@1"), e.g. for an ml5 char-RNN:
//   { "format": "rnn-wasm/tf1-basic-lstm@1",
//     "input": { "type": "onehot", "size": 65 },        or { "type": "embedding", "weight": name }
//                                                       or { "type": "features", "size": n }
//     "cells": [ { "kernel": "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel",
//                  "bias": "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias" }, … ],
//     "forgetBias": 1.0,                                (BasicLSTMCell's default; 0 for LSTMBlockCell
//                                                        checkpoints that were built with 0)
//     "output": { "weight": "fully_connected/weights", "bias": "fully_connected/biases",
//                 "activation": "softmax" },            ([H, V] as tf.layers.dense stores it;
//                                                        activation softmax | logSoftmax | linear)
//     "batchFirst": true,                               (default true)
//     "variables": { name: { "filename": …, "shape": [...] } }   (optional: the deeplearn.js
//                                                        manifest.json; each file raw float32)
//     "weightsManifest": [...] }                        (optional: TF.js weights manifest instead)
// The variables come from source.tensors, else weightsManifest, else variables (files read through
// source.weights or fetched beside the config).
import { ModelFormatError, ShapeError } from "../../errors.js";
import type { ModelConfig, StageConfig } from "../../model/config.js";
import { type ManifestGroup, type ShardSource, readManifestWeights } from "./weights-manifest.js";

export const TF1_FORMAT = "rnn-wasm/tf1-basic-lstm@1";

export type Tf1Tensor = Float32Array | { data: Float32Array; dims?: readonly number[] };

export interface Tf1BasicLstmConfig {
  format: typeof TF1_FORMAT;
  input: { type: "onehot"; size: number } | { type: "embedding"; weight: string } | { type: "features"; size: number };
  cells: { kernel: string; bias: string }[];
  forgetBias?: number;
  output?: { weight: string; bias?: string; activation?: "softmax" | "logSoftmax" | "linear" };
  batchFirst?: boolean;
  variables?: Record<string, { filename: string; shape: number[] }>;
  weightsManifest?: ManifestGroup[];
}

interface Sources {
  manifest?: ManifestGroup[];
  shards?: ShardSource;
  tensors?: Record<string, Tf1Tensor>;
}

const GATES = [0, 3, 2, 1]; // ONNX i, o, f, c ← TF i, j, f, o

export async function buildTf1BasicLstm(json: Record<string, unknown>, src: Sources): Promise<{ config: ModelConfig; stageNames: string[] }> {
  const c = json as unknown as Tf1BasicLstmConfig;
  const where = `config (${TF1_FORMAT})`;
  if (!c.input || !["onehot", "embedding", "features"].includes(c.input.type)) throw new ModelFormatError(`${where}: input.type must be "onehot", "embedding" or "features"`);
  if (!Array.isArray(c.cells) || c.cells.length === 0 || c.cells.some((x) => typeof x?.kernel !== "string" || typeof x?.bias !== "string")) {
    throw new ModelFormatError(`${where}: cells must be a non-empty list of { kernel, bias } variable names`);
  }
  const forgetBias = c.forgetBias ?? 1;
  if (typeof forgetBias !== "number") throw new ModelFormatError(`${where}: forgetBias must be a number`);
  const get = await variables(c, src, where);
  const layers: StageConfig[] = [];
  const stageNames: string[] = [];
  let features: number;
  if (c.input.type === "features") features = positive(c.input.size, `${where}: input.size`);
  else if (c.input.type === "onehot") {
    // A one-hot input is an embedding lookup of the identity matrix.
    const V = positive(c.input.size, `${where}: input.size`);
    const eye = new Float32Array(V * V);
    for (let v = 0; v < V; v++) eye[v * V + v] = 1;
    layers.push({ type: "embedding", vocabSize: V, dim: V, weight: eye });
    stageNames.push("onehot");
    features = V;
  } else {
    const e = get(c.input.weight, 2);
    layers.push({ type: "embedding", vocabSize: e.dims[0], dim: e.dims[1], weight: e.data });
    stageNames.push(c.input.weight);
    features = e.dims[1];
  }
  c.cells.forEach((cell, k) => {
    const bias = get(cell.bias, 1);
    const H = bias.data.length / 4;
    if (!Number.isInteger(H) || H < 1) throw new ShapeError(`${cell.bias}: a BasicLSTMCell bias has 4·H values, found ${bias.data.length}`);
    const kernel = get(cell.kernel, 2);
    const I = features;
    if (kernel.dims[0] !== I + H || kernel.dims[1] !== 4 * H) {
      throw new ShapeError(`${cell.kernel}: expected shape [${I + H}, ${4 * H}] = [input ${I} + units ${H}, 4·units], found [${kernel.dims}]`);
    }
    const W = new Float32Array(4 * H * I);
    const R = new Float32Array(4 * H * H);
    const B = new Float32Array(8 * H);
    GATES.forEach((from, g) => {
      for (let h = 0; h < H; h++) {
        const col = from * H + h;
        for (let x = 0; x < I; x++) W[(g * H + h) * I + x] = kernel.data[x * 4 * H + col];
        for (let j = 0; j < H; j++) R[(g * H + h) * H + j] = kernel.data[(I + j) * 4 * H + col];
        B[g * H + h] = bias.data[col] + (g === 2 ? forgetBias : 0);
      }
    });
    layers.push({ type: "recurrent", cell: "lstm", inputSize: I, hiddenSize: H, W, R, B });
    stageNames.push(`cell_${k}`);
    features = H;
  });
  if (c.output) {
    const w = get(c.output.weight, 2);
    const [H, V] = w.dims;
    if (H !== features) throw new ShapeError(`${c.output.weight}: expected shape [${features}, outputs] (the last cell's units first), found [${w.dims}]`);
    const weight = new Float32Array(V * H);
    for (let h = 0; h < H; h++) for (let v = 0; v < V; v++) weight[v * H + h] = w.data[h * V + v];
    const bias = c.output.bias === undefined ? undefined : get(c.output.bias, 1);
    if (bias && bias.data.length !== V) throw new ShapeError(`${c.output.bias}: expected shape [${V}], found [${bias.dims}]`);
    layers.push({ type: "dense", inputSize: H, outputSize: V, weight, bias: bias?.data });
    stageNames.push(c.output.weight);
    const act = c.output.activation ?? "linear";
    if (act === "softmax" || act === "logSoftmax") {
      layers.push({ type: act });
      stageNames.push(act);
    } else if (act !== "linear") throw new ModelFormatError(`${where}: output.activation must be softmax, logSoftmax or linear, found ${JSON.stringify(act)}`);
  }
  return { config: { layers, batchFirst: c.batchFirst ?? true }, stageNames };
}

type Lookup = (name: string, rank: number) => { data: Float32Array; dims: number[] };

/** The checkpoint's variables from whichever source the caller gave. */
async function variables(c: Tf1BasicLstmConfig, src: Sources, where: string): Promise<Lookup> {
  let map: Map<string, { data: Float32Array; dims?: readonly number[] }>;
  if (src.tensors) {
    map = new Map(Object.entries(src.tensors).map(([k, t]) => [k, t instanceof Float32Array ? { data: t } : t]));
  } else if (src.manifest) {
    if (!src.shards) throw new ModelFormatError(`${where}: weightsManifest given but no weights`);
    map = await readManifestWeights(src.manifest, src.shards);
  } else if (c.variables) {
    map = new Map();
    const read = src.shards;
    if (!read || read instanceof Uint8Array) throw new ModelFormatError(`${where}: "variables" files need weights as { filename: bytes } or a reader function`);
    for (const [name, v] of Object.entries(c.variables)) {
      const bytes = typeof read === "function" ? await read(v.filename) : read[v.filename];
      if (!bytes) throw new ModelFormatError(`${where}: no bytes for variable ${name} (file ${v.filename})`);
      const n = v.shape.reduce((a, b) => a * b, 1);
      if (bytes.length !== 4 * n) throw new ModelFormatError(`${where}: variable ${name}: shape [${v.shape}] needs ${4 * n} bytes, file ${v.filename} has ${bytes.length}`);
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      map.set(name, { data: Float32Array.from({ length: n }, (_, i) => dv.getFloat32(4 * i, true)), dims: v.shape });
    }
  } else throw new ModelFormatError(`${where}: no variables: pass tensors, or give weightsManifest or variables in the config`);
  return (name, rank) => {
    const t = map.get(name);
    if (!t) throw new ModelFormatError(`${where}: missing variable ${name} (have ${[...map.keys()].slice(0, 8).join(", ")}${map.size > 8 ? ", …" : ""})`);
    const dims = t.dims ? [...t.dims] : rank === 1 ? [t.data.length] : undefined;
    if (!dims || dims.length !== rank) throw new ShapeError(`${name}: expected a rank-${rank} tensor, found ${dims ? `[${dims}]` : "a flat array without dims"}`);
    return { data: t.data, dims };
  };
}

function positive(v: unknown, what: string): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw new ModelFormatError(`${what} must be a positive integer, found ${JSON.stringify(v)}`);
  return v as number;
}
