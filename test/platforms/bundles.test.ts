// What each bundle in dist/ holds: its own platform file (src/runtime/platform*.ts, swapped in by
// scripts/build.mjs) and nothing meant for another platform.
import { readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type * as nodePlatform from "../../src/runtime/platform.js";
import type * as browserPlatform from "../../src/runtime/platform.browser.js";
import type * as workerdPlatform from "../../src/runtime/platform.workerd.js";

// The variants must be interchangeable: tsc (npm test) fails here if one's exports drift.
type Platform = typeof nodePlatform;
export const variants: [Platform, Platform] = [null as unknown as typeof browserPlatform, null as unknown as typeof workerdPlatform];

const dist = (f: string) => readFileSync(new URL(`../../dist/${f}`, import.meta.url), "utf8");
const base64Blob = /[A-Za-z0-9+/]{4096,}/;

/** An entry and the chunks it imports statically (what loading it fetches), as dist/ paths. */
function closure(entry: string): string[] {
  const seen = new Set<string>([entry]);
  for (const f of seen) {
    const dir = f.includes("/") ? f.slice(0, f.lastIndexOf("/") + 1) : "";
    for (const m of dist(f).matchAll(/(?:^|[;}\s])import\s*(?:[\w{},*\s]+from\s*)?"(\.\.?\/[^"]+\.js)"/g)) {
      seen.add(new URL(m[1], `file:///${dir}`).pathname.slice(1));
    }
  }
  return [...seen];
}
const text = (entry: string) => closure(entry).map(dist).join("\n");

/** The core's budget (../shared/STYLE.md: size limits are tests): JavaScript plus kernels, gzip. */
const BUDGET = 40 * 1024;
const gzipped = (...files: string[]) => files.reduce((n, f) => n + gzipSync(readFileSync(new URL(`../../dist/${f}`, import.meta.url)), { level: 9 }).length, 0);

describe("dist bundles", () => {
  it(`the core stays within ${BUDGET / 1024} KB gzip, kernels included`, () => {
    expect(gzipped(...closure("browser.js"))).toBeLessThan(BUDGET);
    expect(gzipped(...closure("index.js"))).toBeLessThan(BUDGET);
    expect(gzipped("workerd.js", "kernels.wasm")).toBeLessThan(BUDGET);
  });

  it("index.js (Node, Deno): kernels embedded, relaxed ones in a chunk loaded on demand; node: modules only for file: URLs and threads", () => {
    const js = text("index.js");
    expect(js).toMatch(base64Blob);
    expect(js).toMatch(/import\("\.\/kernels-relaxed-embedded-\w+\.js"\)|import\("\.\/chunks\/kernels-relaxed-embedded-\w+\.js"\)/);
    expect(js.match(new RegExp(base64Blob.source, "g"))).toHaveLength(1);
    // All dynamic: Deno and workers-only code paths never load them.
    // (node:os is named twice: process.getBuiltinModule, else import().)
    expect([...new Set(js.match(/"node:[\w/]+"/g))].sort()).toEqual(['"node:fs/promises"', '"node:os"', '"node:worker_threads"']);
    expect(js).not.toMatch(/from\s*"node:/);
  });

  it("browser.js: the same without any node: import (browser bundlers reject those)", () => {
    const js = text("browser.js");
    expect(js).toMatch(base64Blob);
    expect(js).not.toMatch(/node:/);
  });

  it("workerd.js: no embedded bytes, the kernels imported as .wasm modules beside it", () => {
    const js = dist("workerd.js");
    expect(js).not.toMatch(base64Blob);
    expect(js).not.toMatch(/node:/);
    expect(js.match(/from\s*"\.\/[\w-]+\.wasm"/g)?.sort()).toEqual(['from"./kernels-relaxed.wasm"', 'from"./kernels.wasm"']);
    expect(readdirSync(new URL("../../dist/", import.meta.url))).toEqual(expect.arrayContaining(["kernels.wasm", "kernels-relaxed.wasm"]));
  });

  it("importers (onnx, safetensors, keras) share the core's chunk: one copy of the kernels, one Model class", () => {
    for (const [core, prefix] of [["index.js", ""], ["browser.js", "browser-"]] as const) {
      const coreFiles = new Set(closure(core));
      for (const name of ["onnx", "safetensors", "keras"]) {
        const files = closure(`${prefix}${name}.js`);
        const blobs = files.filter((f) => base64Blob.test(dist(f)));
        expect(blobs.length).toBe(1);
        expect(coreFiles.has(blobs[0])).toBe(true);
        if (prefix) expect(files.map(dist).join("")).not.toMatch(/["'`]node:[\w/]+["'`]/);
      }
    }
    expect(dist("onnx.js") + text("onnx.js")).toMatch(/from\s*"protobufjs\/[\w.]+"/); // a dependency, not bundled
  });

  it("cjs/index.cjs: CommonJS with both builds inlined (no chunks in CommonJS)", () => {
    const js = dist("cjs/index.cjs");
    expect(js.match(new RegExp(base64Blob.source, "g"))).toHaveLength(2);
    expect(js).toMatch(/module\.exports\s*=/);
  });
});
