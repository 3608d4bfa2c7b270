// Child processes: every measurement runs in a fresh `node` (no JIT state, heap or threads
// shared with another runtime). A child reports with lines "@@ <json>" on stdout; anything
// else it prints (library banners, warnings) is kept only for error messages.
import { spawn } from "node:child_process";
import { writeSync } from "node:fs";

const MARK = "@@ ";

/** Prints one result line (in the child); synchronous, so process.exit() right after is safe. */
export function report(value) {
  writeSync(1, `${MARK}${JSON.stringify(value)}\n`);
}

/**
 * Runs `node [nodeFlags] script ...args`. Resolves with the reported values, the wall time
 * from spawn to exit and from spawn to the first report (both ms), and the exit code.
 */
export function runChild(script, args = [], { nodeFlags = [], timeoutMs = 10 * 60_000 } = {}) {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - start) / 1e6;
    const child = spawn(process.execPath, [...nodeFlags, script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const results = [];
    let firstMs;
    let pending = "";
    let other = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.startsWith(MARK)) {
          firstMs ??= ms();
          results.push(JSON.parse(line.slice(MARK.length)));
        } else other += `${line}\n`;
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => (other += chunk));
    const timer = setTimeout(() => {
      other += `\n(killed after ${timeoutMs} ms)`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ results, code, wallMs: ms(), firstMs, output: other.slice(-4000) });
    });
  });
}
