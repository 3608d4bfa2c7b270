// What differs between platforms, for Node and Deno (dist/index.js, dist/cjs/index.cjs):
// the bundled kernels come from base64, and file: URLs are read with node:fs (fetch() has
// none there). scripts/build.mjs swaps in platform.browser.ts or platform.workerd.ts for the
// other bundles, which must export the same (checked by test/platforms/bundles.test.ts).
export { embeddedKernels } from "./embedded.js";

export async function readFileUrl(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  const fs = await import("node:fs/promises");
  return new Uint8Array(await fs.readFile(url));
}
