// The built package (dist/, made by `npm run build`, which `npm test` runs first) works from
// Node as ESM and as CommonJS and computes exactly what the sources compute.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import * as src from "../../src/index.js";
import { rng, uniform } from "../helpers/random.js";

const spec = () => {
  const rand = rng(1);
  return { cell: "gru" as const, inputSize: 5, hiddenSize: 7, direction: "bidirectional" as const, W: uniform(rand, 2 * 21 * 5), R: uniform(rand, 2 * 21 * 7), linearBeforeReset: true };
};
const X = { data: uniform(rng(2), 6 * 2 * 5), dims: [6, 2, 5] };

async function outputs(api: typeof src): Promise<Float32Array> {
  const layer = await api.createLayer(spec());
  const { Y } = await layer.run(X);
  layer.dispose();
  return Y.data;
}

describe("dist/ in Node", () => {
  it("ESM bundle equals the sources bit for bit", async () => {
    const dist = (await import("../../dist/index.js" as string)) as typeof src;
    expect(await outputs(dist)).toEqual(await outputs(src));
    expect(new dist.ShapeError("x")).toBeInstanceOf(dist.RnnWasmError);
  });

  it("CommonJS bundle (require) equals the sources bit for bit", async () => {
    const require = createRequire(import.meta.url);
    const dist = require("../../dist/cjs/index.cjs") as typeof src;
    expect(await outputs(dist)).toEqual(await outputs(src));
  });
});
