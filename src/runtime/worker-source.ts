// The worker side of the thread pool (thread-pool.ts), as source text: the pool starts workers
// from it through a Blob URL (browsers, Deno) or `eval` (Node), so no worker file has to be
// found next to the bundle, whatever bundler or CDN served it. Plain ES2020, no imports.
//
// Init message: { module, memory, box, abort, names, spin }: one more instance of the kernels
// over the runtime's shared memory, this worker's mailbox (int32 index `box`, see thread-pool.ts)
// and the step barrier's abort word. Then the worker waits on the mailbox (polling `spin` times,
// then in Atomics.wait) and runs each batch of kernel calls posted there: go (the job number) →
// claim (unless the caller took the job back) → calls → status → done = go, notify. go < 0
// means quit. A failure also sets the abort word, so threads waiting for this one at the step
// barrier stop too.
export const WORKER_SOURCE = `
const start = (init, reply) => {
  const { module, memory, box, abort, names, spin } = init;
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const fns = names.map((n) => exports[n]);
  const argv = []; // argument arrays by length, reused: no allocation per call
  reply({ ready: true });
  let buffer = null, i32 = null, seen = 0;
  for (;;) {
    if (memory.buffer !== buffer) { buffer = memory.buffer; i32 = new Int32Array(buffer); }
    for (let n = 0; n < spin && Atomics.load(i32, box) === seen; n++);
    Atomics.wait(i32, box, seen);
    const go = Atomics.load(i32, box);
    if (go < 0) return;
    if (go === seen) continue;
    seen = go;
    if (memory.buffer !== buffer) { buffer = memory.buffer; i32 = new Int32Array(buffer); }
    if (Atomics.compareExchange(i32, box + 4, go - 1, go) !== go - 1) continue; // taken back
    let status = 0;
    try {
      const end = box + 5 + i32[box + 3];
      for (let p = box + 5; p < end; ) {
        const fn = fns[i32[p]], n = i32[p + 1];
        const args = argv[n] || (argv[n] = new Array(n));
        for (let i = 0; i < n; i++) args[i] = i32[p + 2 + i];
        fn.apply(null, args);
        p += 2 + n;
      }
    } catch (e) {
      status = e instanceof WebAssembly.RuntimeError ? 1 : 2;
      Atomics.store(i32, abort, 1);
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
