// House rules that can be checked: imports flow one way (cli → import → model → layers →
// runtime → built assembly/), no import cycles, files stay near 400 lines, and every kernel
// export has its test. (A few lines of our own instead of dependency-cruiser: the rules are
// simple and this keeps a large dev dependency out.)
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function files(dir: string, ext = /\.ts$/): string[] {
  return readdirSync(join(root, dir)).flatMap((f) => {
    const p = join(dir, f);
    return statSync(join(root, p)).isDirectory() ? files(p, ext) : ext.test(f) ? [p] : [];
  });
}

/** Rank of a source file: it may import files of the same or a lower rank only. */
function rank(file: string): number {
  const order = ["src/errors.ts", "src/tensor.ts", "src/runtime/", "src/layers/", "src/model/", "src/import/", "src/cli/", "src/index.ts"];
  const ranks = [0, 0, 1, 2, 3, 4, 5, 6];
  const i = order.findIndex((p) => file === p || (p.endsWith("/") && file.startsWith(p)));
  if (i < 0) throw new Error(`${file}: not in a known layer of src/`);
  return ranks[i];
}

function imports(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return [...text.matchAll(/^(?:import|export)[^'"]*from\s+["'](\.[^"']+)["']/gm)].map((m) =>
    relative(root, resolve(root, dirname(file), m[1])).replace(/\.js$/, ".ts"),
  );
}

describe("architecture", () => {
  const src = files("src");

  it("imports flow one way through the layers", () => {
    const bad: string[] = [];
    for (const f of src) {
      for (const dep of imports(f)) {
        if (dep.startsWith("build/")) {
          if (!f.startsWith("src/runtime/")) bad.push(`${f} → ${dep} (only runtime/ touches the built kernels)`);
        } else if (rank(dep) > rank(f)) bad.push(`${f} → ${dep}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("has no import cycles", () => {
    const graph = new Map(src.map((f) => [f, imports(f).filter((d) => d.startsWith("src/"))]));
    const state = new Map<string, 1 | 2>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 2) return;
      if (state.get(f) === 1) {
        cycles.push([...path.slice(path.indexOf(f)), f].join(" → "));
        return;
      }
      state.set(f, 1);
      for (const d of graph.get(f) ?? []) visit(d, [...path, f]);
      state.set(f, 2);
    };
    for (const f of src) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it("keeps source files under ~400 lines", () => {
    const long = [...src, ...files("assembly"), ...files("scripts", /\.m?[jt]s$/)]
      .map((f) => [f, readFileSync(join(root, f), "utf8").split("\n").length] as const)
      .filter(([, n]) => n > 420);
    expect(long).toEqual([]);
  });

  it("every kernel export has a test that runs it against a scalar reference", async () => {
    const tests: Record<string, string> = {
      f32_activation: "test/kernels/activations.test.ts",
      f32_gemm_2x16: "test/kernels/gemm-softmax.test.ts",
      f32_softmax: "test/kernels/gemm-softmax.test.ts",
      f32_lstm_seq: "test/layers/recurrent-property.test.ts",
      f32_gru_seq: "test/layers/recurrent-property.test.ts",
      f32_rnn_seq: "test/layers/recurrent-property.test.ts",
      f32_pack_panels: "test/kernels/pack.test.ts",
    };
    const module = await WebAssembly.compile(readFileSync(join(root, "build/kernels.wasm")));
    const exported = WebAssembly.Module.exports(module).filter((e) => e.kind === "function").map((e) => e.name);
    expect(exported.sort()).toEqual(Object.keys(tests).sort());
    for (const f of Object.values(tests)) expect(statSync(join(root, f)).isFile()).toBe(true);
  });
});
