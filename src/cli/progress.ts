// A progress bar on stderr for work that runs longer than a second, drawn only when stderr is
// a terminal (so pipes, files and CI logs stay clean).

export interface Progress {
  /** done of total units; redraws at most every 100 ms. */
  update(done: number): void;
  /** Clears the bar. */
  end(): void;
}

export function progress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const start = Date.now();
  let last = 0;
  let drawn = false;
  const tty = stream.isTTY === true;
  return {
    update(done) {
      if (!tty) return;
      const now = Date.now();
      if (now - start < 1000 || now - last < 100) return;
      last = now;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 20));
      const f = total > 0 ? Math.min(1, done / total) : 0;
      const bar = "█".repeat(Math.round(f * width)).padEnd(width, "░");
      stream.write(`\r${label} ${bar} ${(f * 100).toFixed(0).padStart(3)}%`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write("\r\x1b[2K");
    },
  };
}
