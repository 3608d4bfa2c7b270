// Starting a worker thread from source text with the Web Worker API (browsers, Deno): a module
// worker on a Blob URL. Shared by platform.ts (Deno) and platform.browser.ts.

/** What the thread pool needs from a worker, whatever the platform. */
export interface WorkerHandle {
  post(message: unknown): void;
  /** Resolves on the worker's first message, rejects if it fails to start. */
  ready(): Promise<void>;
  terminate(): void;
}

export function webWorker(source: string): WorkerHandle | undefined {
  if (typeof Worker !== "function" || typeof Blob !== "function" || typeof URL.createObjectURL !== "function") return undefined;
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const worker = new Worker(url, { type: "module" });
  const ready = new Promise<void>((resolve, reject) => {
    worker.onmessage = () => resolve();
    worker.onerror = (e) => reject(new Error(`worker failed to start: ${e.message}`));
  }).finally(() => URL.revokeObjectURL(url));
  return {
    post: (message) => worker.postMessage(message),
    ready: () => ready,
    terminate: () => worker.terminate(),
  };
}
