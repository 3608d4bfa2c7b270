#!/usr/bin/env node
// Entry of the `rnn-wasm` binary (package.json "bin"): runs main() and exits with its code.
import { main } from "./main.js";

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`rnn-wasm: unexpected error (please report it): ${(e as Error)?.stack ?? e}\n`);
    process.exit(70);
  },
);
