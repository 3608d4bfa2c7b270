// What differs between platforms, for browsers (dist/browser.js): base64 kernels as in
// platform.ts, Web Workers for threads, and no node:* imports, which browser bundlers reject.
import { InvalidArgumentError } from "../errors.js";
import { type WorkerHandle, webWorker } from "./web-worker.js";

export { embeddedKernelBytes, embeddedKernels } from "./embedded.js";
export type { WorkerHandle } from "./web-worker.js";

export async function readFileUrl(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  throw new InvalidArgumentError(`wasm: ${url.href}: a browser cannot read file: URLs; pass an http(s) URL or the bytes`);
}

export async function hardwareThreads(): Promise<number> {
  return Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1);
}

export async function spawnWorker(source: string): Promise<WorkerHandle | undefined> {
  return webWorker(source);
}
