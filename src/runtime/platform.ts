// What differs between platforms, for Node and Deno (dist/index.js, dist/cjs/index.cjs):
// the bundled kernels come from base64, file: URLs are read with node:fs (fetch() has none
// there), and worker threads are node:worker_threads in Node, Web Workers in Deno.
// scripts/build.mjs swaps in platform.browser.ts or platform.workerd.ts for the other bundles,
// which must export the same (checked by test/platforms/bundles.test.ts).
import { type WorkerHandle, webWorker } from "./web-worker.js";

export { embeddedKernelBytes, embeddedKernels } from "./embedded.js";
export type { WorkerHandle } from "./web-worker.js";

export async function readFileUrl(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  const fs = await import("node:fs/promises");
  return new Uint8Array(await fs.readFile(url));
}

/** Hardware threads of this machine (at least 1). */
export async function hardwareThreads(): Promise<number> {
  if (typeof navigator === "object" && navigator?.hardwareConcurrency) return navigator.hardwareConcurrency;
  // Node ≥ 20.16 hands out built-ins synchronously: half a millisecond less at start-up than import().
  const builtin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  const os = (builtin?.("node:os") as typeof import("node:os") | undefined) ?? (await import("node:os"));
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

/** A worker running `source`; Node's is unref'd, so an idle pool never keeps a process alive. */
export async function spawnWorker(source: string): Promise<WorkerHandle | undefined> {
  if (typeof Worker === "function") return webWorker(source); // Deno
  const { Worker: NodeWorker } = await import("node:worker_threads");
  const worker = new NodeWorker(source, { eval: true });
  worker.unref();
  const ready = new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", reject);
  });
  return {
    post: (message) => worker.postMessage(message),
    ready: () => ready,
    terminate: () => void worker.terminate(),
  };
}
