// The `rnn-wasm` command: parses the command line (node:util parseArgs), runs one command, and
// turns errors into a readable message and a non-zero exit code (1: the work failed; 2: usage).
import { parseArgs } from "node:util";
import { RnnWasmError } from "../errors.js";
import { createRuntime } from "../runtime/runtime.js";
import { benchCommand } from "./bench.js";
import { COMMANDS, commandHelp, mainHelp } from "./commands.js";
import { generateCommand } from "./generate.js";
import { inspectCommand } from "./inspect.js";
import { runCommand } from "./run.js";

declare const RNN_WASM_VERSION: string; // defined by the build (scripts/build.mjs)
const VERSION = typeof RNN_WASM_VERSION === "string" ? RNN_WASM_VERSION : "dev";

class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    process.stdout.write(`${mainHelp(VERSION)}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === "-v" || name === "--version") {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}; the commands are ${COMMANDS.map((c) => c.name).join(", ")}`);
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...command.options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const { values, positionals } = parsed as { values: Record<string, unknown>; positionals: string[] };
    if (values.help) {
      process.stdout.write(`${commandHelp(command)}\n`);
      return 0;
    }
    const runtime = await createRuntime();
    switch (command.name) {
      case "generate":
        await generateCommand({ ...values, prompt: positionals.join(" ") } as never, runtime);
        break;
      case "run":
        if (positionals.length !== 1) throw new UsageError(`run takes one MODEL file, found ${positionals.length}`);
        await runCommand(positionals[0], values, runtime);
        break;
      case "inspect":
        if (positionals.length !== 1) throw new UsageError(`inspect takes one MODEL file, found ${positionals.length}`);
        await inspectCommand(positionals[0], !!values.json, runtime);
        break;
      case "bench":
        if (positionals.length) throw new UsageError(`bench takes no arguments, found ${positionals.join(" ")}`);
        await benchCommand(values, runtime);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`rnn-wasm: ${e.message}\n${command ? `usage: ${command.usage} (see --help)` : "see rnn-wasm --help"}\n`);
      return 2;
    }
    if (e instanceof RnnWasmError || (e as NodeJS.ErrnoException)?.code === "ENOENT") {
      process.stderr.write(`rnn-wasm ${name}: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}
