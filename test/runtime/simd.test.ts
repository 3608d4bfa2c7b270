// Feature detection and the `simd` option: the plain SIMD build by default, relaxed SIMD only on
// request and only where the engine has it (Node 20: behind a flag, so here it falls back), and
// a clear error naming "WebAssembly SIMD" where there is none. The relaxed build itself runs in
// Deno, Chromium, workerd and flagged Node in test/platforms/runtimes.test.ts.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidArgumentError, UnsupportedError } from "../../src/errors.js";
import { hasWasmRelaxedSimd, hasWasmSimd, PROBES } from "../../src/runtime/features.js";
import { Runtime } from "../../src/runtime/runtime.js";

afterEach(() => vi.restoreAllMocks());

describe("feature probes", () => {
  it("are a few bytes each, and the SIMD one validates here", () => {
    expect(PROBES.simd.length).toBeLessThan(40);
    expect(PROBES.relaxedSimd.length).toBeLessThan(50);
    expect(hasWasmSimd()).toBe(true);
    expect(hasWasmRelaxedSimd()).toBe(WebAssembly.validate(PROBES.relaxedSimd));
  });

  it("the relaxed probe fails exactly where the relaxed kernels fail to validate", () => {
    const relaxed = readFileSync(new URL("../../build/kernels-relaxed.wasm", import.meta.url));
    expect(WebAssembly.validate(relaxed)).toBe(hasWasmRelaxedSimd());
    expect(WebAssembly.validate(readFileSync(new URL("../../build/kernels.wasm", import.meta.url)))).toBe(true);
  });
});

describe("RuntimeOptions.simd", () => {
  it("defaults to the plain SIMD build; a caller's module is \"custom\"", async () => {
    expect((await Runtime.create()).build).toBe("simd");
    expect((await Runtime.create({ simd: "default" })).build).toBe("simd");
    const wasm = readFileSync(new URL("../../build/kernels.wasm", import.meta.url));
    expect((await Runtime.create({ wasm })).build).toBe("custom");
  });

  it.runIf(!hasWasmRelaxedSimd())("\"relaxed\" without engine support: the SIMD build and one warning that says why", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect((await Runtime.create({ simd: "relaxed" })).build).toBe("simd");
    expect((await Runtime.create({ simd: "relaxed" })).build).toBe("simd");
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/relaxed SIMD.*--experimental-wasm-relaxed-simd.*"relaxed-only"/);
  });

  it.runIf(!hasWasmRelaxedSimd())("\"relaxed-only\" without engine support is an UnsupportedError naming the feature", async () => {
    await expect(Runtime.create({ simd: "relaxed-only" })).rejects.toThrow(UnsupportedError);
    await expect(Runtime.create({ simd: "relaxed-only" })).rejects.toThrow(/WebAssembly relaxed SIMD/);
  });

  it.runIf(hasWasmRelaxedSimd())("\"relaxed\" with engine support runs the relaxed build", async () => {
    expect((await Runtime.create({ simd: "relaxed" })).build).toBe("relaxed-simd");
  });

  it("rejects unknown values, and simd together with a module of the caller's", async () => {
    await expect(Runtime.create({ simd: "fast" as never })).rejects.toThrow(InvalidArgumentError);
    const wasm = readFileSync(new URL("../../build/kernels.wasm", import.meta.url));
    await expect(Runtime.create({ wasm, simd: "relaxed" })).rejects.toThrow(/either wasm .* or simd/);
  });
});

describe("an engine without WebAssembly SIMD", () => {
  it("gets an UnsupportedError that names WebAssembly SIMD (there is no scalar build)", async () => {
    vi.resetModules(); // fresh, unmemoized probes
    vi.spyOn(WebAssembly, "validate").mockReturnValue(false);
    const { Runtime: FreshRuntime } = await import("../../src/runtime/runtime.js");
    const error = (await FreshRuntime.create().then(() => new Error("no error"), (e: unknown) => e)) as Error & { code: string };
    expect(error).toMatchObject({ code: "UNSUPPORTED", name: "UnsupportedError" });
    expect(error.message).toMatch(/lacks WebAssembly SIMD .* no scalar build/);
  });
});
