// The worker side of the thread pool (thread-pool.ts), as source text: the pool starts workers
// from it through a Blob URL (browsers, Deno) or `eval` (Node), so no worker file has to be
// found next to the bundle, whatever bundler or CDN served it. Plain ES2020, no imports.
//
// Init message: { module, memory, box, names }: one more instance of the kernels over the
// runtime's shared memory, and this worker's mailbox (int32 index `box`, see thread-pool.ts).
// Then the worker sleeps in Atomics.wait on the mailbox and runs each batch of kernel calls
// posted there: go (the job number) → calls → status → done = go, notify. go < 0 means quit.
export const WORKER_SOURCE = `
const start = (init, reply) => {
  const { module, memory, box, names } = init;
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const fns = names.map((n) => exports[n]);
  reply({ ready: true });
  let buffer = null, i32 = null, seen = 0;
  for (;;) {
    if (memory.buffer !== buffer) { buffer = memory.buffer; i32 = new Int32Array(buffer); }
    Atomics.wait(i32, box, seen);
    const go = Atomics.load(i32, box);
    if (go < 0) return;
    if (go === seen) continue;
    seen = go;
    if (memory.buffer !== buffer) { buffer = memory.buffer; i32 = new Int32Array(buffer); }
    let status = 0;
    try {
      const end = box + 4 + i32[box + 3];
      for (let p = box + 4; p < end; ) {
        const fn = fns[i32[p]], n = i32[p + 1];
        fn(...i32.subarray(p + 2, p + 2 + n));
        p += 2 + n;
      }
    } catch (e) {
      status = e instanceof WebAssembly.RuntimeError ? 1 : 2;
    }
    Atomics.store(i32, box + 2, status);
    Atomics.store(i32, box + 1, go);
    Atomics.notify(i32, box + 1);
  }
};
if (typeof require === "function") {
  const { parentPort } = require("worker_threads"); // no "node" prefix: browser bundles must not name Node modules
  parentPort.once("message", (init) => start(init, (m) => parentPort.postMessage(m)));
} else {
  self.onmessage = (e) => { self.onmessage = null; start(e.data, (m) => self.postMessage(m)); };
}
`;
