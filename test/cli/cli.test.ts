// The `rnn-wasm` binary (dist/cli.js, built by `npm test`), spawned for real: every command,
// --help, --json, readable errors with the right exit codes.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { readNpy, writeNpy } from "../../src/cli/io.js";
import { decodeF32, expectClose } from "../helpers/fixture-io.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const bin = join(root, "dist/cli.js");
const tmp = mkdtempSync(join(tmpdir(), "rnn-wasm-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The first run of an ONNX fixture: its input written as JSON, and the expected outputs. */
function onnxCase(name: string) {
  const fixture = JSON.parse(readFileSync(join(root, "test/fixtures/onnx", `${name}.json`), "utf8"));
  const run = fixture.runs[0];
  const inputs = Object.fromEntries(Object.entries(run.inputs).map(([k, v]) => {
    const t = v as { dims: number[]; data: string | number[] };
    return [k, typeof t.data === "string" ? { dims: t.dims, data: Array.from(decodeF32(t as never).data) } : t];
  }));
  const outputs = Object.fromEntries(Object.entries(run.outputs).map(([k, v]) => [k, decodeF32(v as never)]));
  return { model: join(root, "test/fixtures/onnx", `${name}.onnx`), inputs, outputs };
}

describe("rnn-wasm CLI", () => {
  it("--help for the program and every command; unknown commands and options exit 2", () => {
    const main = cli("--help");
    expect(main.code).toBe(0);
    for (const c of ["generate", "run", "inspect", "bench"]) {
      expect(main.stdout).toContain(c);
      const h = cli(c, "--help");
      expect(h.code).toBe(0);
      expect(h.stdout).toContain(`usage: rnn-wasm ${c}`);
    }
    expect(cli("frobnicate").code).toBe(2);
    const bad = cli("inspect", "--nope", "x");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--nope/);
    expect(cli("--version").stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("generate: the embedded model writes text as it goes, deterministic with --seed, characters/s on stderr", () => {
    const a = cli("generate", "The ", "--seed", "7", "--length", "80");
    expect(a.stdout.startsWith("The ")).toBe(true);
    expect(a.stdout.trimEnd().length).toBeGreaterThan(60);
    expect(a.stderr).toMatch(/characters\/s/);
    expect(cli("generate", "The ", "--seed", "7", "--length", "80").stdout).toBe(a.stdout);
    const j = JSON.parse(cli("generate", "--seed", "1", "--length", "30", "--temperature", "0.5", "--top-k", "5", "--json").stdout);
    expect(j.characters).toBe(30);
    expect(j.text).toHaveLength(30);
    expect(j.charactersPerSecond).toBeGreaterThan(0);
    expect(cli("generate", "--temperature", "hot").code).toBe(1);
  });

  it("run: ONNX model, JSON in and out, equals PyTorch; --stream equals the whole-sequence run", () => {
    const c = onnxCase("lstm_o14");
    const input = join(tmp, "lstm.json");
    writeFileSync(input, JSON.stringify(c.inputs));
    const r = cli("run", c.model, "--input", input);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    for (const [k, t] of Object.entries(c.outputs)) expectClose(out[k].data, t.data, `cli run ${k}`);
    const s = cli("run", c.model, "--input", input, "--stream");
    expect(s.code).toBe(0);
    expectClose(JSON.parse(s.stdout).output.data, c.outputs.y.data, "cli run --stream");
  });

  it("run: .npy and CSV inputs, .npy outputs", () => {
    const c = onnxCase("lstm_o14");
    const x = c.inputs.x as { dims: number[]; data: number[] };
    writeFileSync(join(tmp, "x.npy"), writeNpy({ data: Float32Array.from(x.data), dims: x.dims }));
    expect(cli("run", c.model, "--input", join(tmp, "x.npy"), "--output", join(tmp, "y.npy")).code).toBe(0);
    const y = readNpy(readFileSync(join(tmp, "y.npy")));
    expect(y.dims).toEqual(c.outputs.y.dims);
    expectClose(y.data, c.outputs.y.data, "npy output");
    expect(readNpy(readFileSync(join(tmp, "y.h_n.npy"))).dims).toEqual(c.outputs.h_n.dims);
    // CSV: one time step per line, batch 1 — the first batch row of the fixture input.
    const [T, B, I] = x.dims;
    const lines = ["f0,f1,f2,f3,f4", ...Array.from({ length: T }, (_, t) => x.data.slice(t * B * I, t * B * I + I).join(","))];
    writeFileSync(join(tmp, "x.csv"), lines.join("\n"));
    const r = cli("run", c.model, "--input", join(tmp, "x.csv"), "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).y.dims).toEqual([T, 1, 8]);
  });

  it("inspect: layers, parameters, bytes and kernels, as text and --json", () => {
    const c = onnxCase("lstm_o14");
    const t = cli("inspect", c.model);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/LSTM/);
    expect(t.stdout).toMatch(/f32_lstm_seq/);
    expect(t.stdout).toMatch(/parameters/);
    const j = JSON.parse(cli("inspect", c.model, "--json").stdout);
    expect(j.format).toBe("onnx");
    expect(j.parameters).toBeGreaterThan(0);
    const embedded = JSON.parse(cli("inspect", join(root, "models/char-lstm.json"), "--json").stdout);
    expect(embedded.layers.map((l: { type: string }) => l.type)).toEqual(expect.arrayContaining(["Embedding", "LSTM", "Dense"]));
  });

  it("bench: a short self-benchmark with µs/step and GFLOP/s", () => {
    const r = cli("bench", "--seconds", "1", "--only", "W1,W2", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.workloads.map((w: { id: string }) => w.id)).toEqual(["W1", "W2"]);
    for (const w of j.workloads) expect(w.gflops).toBeGreaterThan(0);
    expect(cli("bench", "--only", "W9").code).toBe(1);
  });

  it("readable errors and exit code 1 for missing or malformed files", () => {
    const missing = cli("inspect", join(tmp, "nope.onnx"));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found/);
    writeFileSync(join(tmp, "bad.onnx"), "definitely not protobuf");
    const bad = cli("inspect", join(tmp, "bad.onnx"));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/rnn-wasm inspect:/);
    expect(bad.stderr).not.toMatch(/at .*\.js:\d+/); // a message, not a stack trace
    const c = onnxCase("lstm_o14");
    writeFileSync(join(tmp, "wrong.json"), JSON.stringify({ x: { dims: [2, 2, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] } }));
    const shape = cli("run", c.model, "--input", join(tmp, "wrong.json"));
    expect(shape.code).toBe(1);
    expect(shape.stderr).toMatch(/expected|shape/i);
    expect(cli("run", c.model).code).toBe(1);
  });
});
