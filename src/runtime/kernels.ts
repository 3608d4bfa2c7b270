// The typed kernel exports. Types come from asc's generated raw bindings (build/kernels.d.ts),
// so no kernel signature is written twice. We instantiate with plain WebAssembly.instantiate
// instead of @assemblyscript/loader (deprecated upstream since 0.20): the ABI is pointers and
// numbers, so the loader's string/array marshalling would only add size.
import type { instantiate } from "../../build/kernels.js";

export type Kernels = Omit<Awaited<ReturnType<typeof instantiate>>, "memory">;

/** Instantiates the kernels over `memory` (the module imports env.memory and nothing else). */
export async function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<Kernels> {
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return instance.exports as unknown as Kernels;
}
