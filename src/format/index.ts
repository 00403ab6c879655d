// Docker's CLI output formatting: Go templates (text/template), the tabwriter, docker's units and
// times, and the formatter contexts of `ps` and `images`. Shared by cli/ and by the daemon's
// rendered `berth ps` (api/routes/berth-cli.ts), so both print the same bytes. Imports only
// common/ and api/types (type-only).
export * from './container-context.js'
export * from './formatter.js'
export * from './image-context.js'
export * from './references.js'
export * from './tabwriter.js'
export * from './template-exec.js'
export * from './template-funcs.js'
export * from './template-parse.js'
export * from './template-values.js'
export * from './time.js'
export * from './units.js'
export * from './ps-table.js'
