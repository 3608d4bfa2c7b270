// What differs between platforms, for Cloudflare workerd (dist/workerd.js), which forbids
// compiling WebAssembly from bytes at run time: the kernels are .wasm modules of the Worker
// (dist/kernels*.wasm beside dist/workerd.js), which workerd, like wrangler's default
// CompiledWasm rule, imports as compiled WebAssembly.Modules. No file: URLs, and no threads:
// a Worker isolate runs one thread and has no Worker API.
import simd from "../../build/kernels.wasm";
import relaxedSimd from "../../build/kernels-relaxed.wasm";
import { InvalidArgumentError } from "../errors.js";
import type { KernelBuild } from "./features.js";
import type { WorkerHandle } from "./web-worker.js";

export type { WorkerHandle } from "./web-worker.js";

export async function embeddedKernels(build: KernelBuild): Promise<WebAssembly.Module> {
  return build === "relaxed-simd" ? relaxedSimd : simd;
}

/** No bytes: workerd cannot compile them (so no shared-memory twin either). */
export async function embeddedKernelBytes(_build: KernelBuild): Promise<Uint8Array<ArrayBuffer> | undefined> {
  return undefined;
}

export async function readFileUrl(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  throw new InvalidArgumentError(`wasm: ${url.href}: a Worker cannot read file: URLs; import the .wasm as a module and pass that`);
}

export async function hardwareThreads(): Promise<number> {
  return 1;
}

export async function spawnWorker(_source: string): Promise<WorkerHandle | undefined> {
  return undefined;
}
