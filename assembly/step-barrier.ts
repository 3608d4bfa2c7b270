// The per-step barrier of a sequence split by units between threads (src/layers/unit-split.ts):
// step s reads the whole H_{s-1}, which every thread wrote a slice of, so no thread starts a
// step before all have finished the last one. It spins (atomic loads) rather than sleeps: a
// step takes microseconds, a wake-up from memory.atomic.wait tens of them, and a browser's main
// thread may not wait at all.
//
// Block at `bar` (16 bytes, written by the host's thread pool before each phase):
//   [0] arrived this step   [4] generation   [8] abort (≠ 0: a thread failed)   [12] parties

/** Returns once all `parties` threads have called it for this step; traps if one failed. */
export function stepBarrier(bar: usize): void {
  const parties = load<i32>(bar, 12);
  const gen = atomic.load<i32>(bar, 4);
  if (atomic.add<i32>(bar, 1) == parties - 1) {
    // Last to arrive: reset the count before releasing the others, who may arrive again at once.
    atomic.store<i32>(bar, 0);
    atomic.store<i32>(bar, gen + 1, 4);
    return;
  }
  while (atomic.load<i32>(bar, 4) == gen) {
    // Without this a failed thread would leave the others spinning for ever.
    if (atomic.load<i32>(bar, 8) != 0) unreachable();
  }
}
