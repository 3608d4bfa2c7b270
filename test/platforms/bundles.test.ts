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

/** The core's budget (../shared/STYLE.md: size limits are tests): JavaScript plus kernels, gzip. */
const BUDGET = 40 * 1024;
const gzipped = (...files: string[]) => files.reduce((n, f) => n + gzipSync(readFileSync(new URL(`../../dist/${f}`, import.meta.url)), { level: 9 }).length, 0);

describe("dist bundles", () => {
  it(`the core stays within ${BUDGET / 1024} KB gzip, kernels included`, () => {
    expect(gzipped("browser.js")).toBeLessThan(BUDGET);
    expect(gzipped("index.js")).toBeLessThan(BUDGET);
    expect(gzipped("workerd.js", "kernels.wasm")).toBeLessThan(BUDGET);
  });

  it("index.js (Node, Deno): kernels embedded, relaxed ones in a chunk loaded on demand, node:fs for file: URLs only", () => {
    const js = dist("index.js");
    expect(js).toMatch(base64Blob);
    expect(js).toMatch(/import\("\.\/chunks\/kernels-relaxed-embedded-\w+\.js"\)/);
    expect(js.match(new RegExp(base64Blob.source, "g"))).toHaveLength(1);
    expect(js.match(/"node:[\w/]+"/g)).toEqual(['"node:fs/promises"']);
  });

  it("browser.js: the same without any node: import (browser bundlers reject those)", () => {
    const js = dist("browser.js");
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

  it("cjs/index.cjs: CommonJS with both builds inlined (no chunks in CommonJS)", () => {
    const js = dist("cjs/index.cjs");
    expect(js.match(new RegExp(base64Blob.source, "g"))).toHaveLength(2);
    expect(js).toMatch(/module\.exports\s*=/);
  });
});
