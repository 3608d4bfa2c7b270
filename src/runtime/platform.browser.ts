// What differs between platforms, for browsers (dist/browser.js): base64 kernels as in
// platform.ts, and no node:fs import, which browser bundlers would reject.
import { InvalidArgumentError } from "../errors.js";

export { embeddedKernels } from "./embedded.js";

export async function readFileUrl(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  throw new InvalidArgumentError(`wasm: ${url.href}: a browser cannot read file: URLs; pass an http(s) URL or the bytes`);
}
