// The berth command-line interface: argv parsing (commander), commands, rendering.
// Talks to the daemon only through client/'s EngineClient; never imports engine/ or api/ code.
export { runCli, type RunCliOptions } from './cli.js'
export type { CliIo } from './context.js'
