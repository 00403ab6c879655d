// Bundles the two entry points into single CommonJS files so that `berth` starts fast
// (one file to load instead of hundreds of modules). Native addons stay external.
//
// The CLI is started in three steps, each for start-up time (`berth ps` is mostly node start-up):
// - bin/berth, a sh launcher: node parses the whole NODE_EXTRA_CA_CERTS file before any JavaScript
//   runs (~50 ms of CPU for a system bundle); the CLI needs those certificates only for a TLS daemon
//   endpoint without a CA of its own, so the launcher hands the variable on as BERTH_EXTRA_CA_CERTS
//   and the client adds it there (src/client/http-transport.ts).
// - bin/berth.js, a loader: compiles the bundle with V8's code cache (bin/berth-cli.cache, made
//   here), which skips parsing the ~600 kB bundle at every start. A cache the running node rejects
//   (another node version) only costs the normal compile; the loader then writes a fresh one.
// - bin/berth-cli.js, the bundle itself.
import { build } from 'esbuild'
import { chmod, readFile, writeFile, mkdir, rm } from 'node:fs/promises'
import { Script } from 'node:vm'
import { resolve } from 'node:path'

await mkdir('bin', { recursive: true })
await writeFile('bin/package.json', JSON.stringify({ type: 'commonjs' }) + '\n')
// bin/berth-registry is the registry server alone, copied into the berth/registry image.
// berthd runs without TurboFan (`env -S` splits the option; no shell in between): its code pages in
// the node binary and its compile zones added ~4 MB to the idle RSS after the first image import and
// ~7 MB after a few container runs, with no change on the start path (berthd's CPU per `docker run`
// is the same within noise). The price is bulk JS work: ~8% more CPU to import a 57 MB tar of 4700
// files, ~2 ms more for `ps -a` of 1000 containers. (--max-semi-space-size=1 saved only ~1 MB for
// ~11% more CPU on that import, so it is not used.)
const berthdShebang = '#!/usr/bin/env -S node --no-opt'
for (const [entry, out] of [['src/daemon/main.ts', 'bin/berthd'], ['src/cli/main.ts', 'bin/berth-cli.js'], ['src/registry/main.ts', 'bin/berth-registry']]) {
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['node-unix-socket'],
    banner: { js: out === 'bin/berthd' ? berthdShebang : '#!/usr/bin/env node' },
    // A lazy import() stays a require(): a real import() would start node's ESM loader (~3 MB).
    ...(out === 'bin/berthd' ? { supported: { 'dynamic-import': false } } : {}),
    sourcemap: 'linked',
    logLevel: 'warning',
  })
  await chmod(out, 0o755)
}

// `berth-compose ARGS` is `berth compose ARGS` (for tools that look for a standalone compose
// binary), and bin/cli-plugins/docker-compose is a docker CLI plugin (link it into ~/.docker/cli-plugins/): `docker compose ARGS` runs it with
// docker's own argv (global flags, then "compose"), which berth parses the same way.
await writeFile('bin/berth-compose', `#!/usr/bin/env node
process.argv.splice(2, 0, 'compose')
require('./berth.js')
`)
await mkdir('bin/cli-plugins', { recursive: true })
await writeFile('bin/cli-plugins/docker-compose', `#!/usr/bin/env node
if (process.argv[2] === 'docker-cli-plugin-metadata') {
  process.stdout.write(JSON.stringify({ SchemaVersion: '0.1.0', Vendor: 'berth', Version: 'v2.29.0', ShortDescription: 'Docker Compose (berth)' }) + '\\n')
  process.exit(0)
}
require('../berth.js')
`)
await chmod('bin/berth-compose', 0o755)
await chmod('bin/cli-plugins/docker-compose', 0o755)

await rm('bin/berth.map', { force: true }) // from builds before the loader

/** Must match wrap() in the loader below: the cache is only valid for the very same source text. */
const wrap = (source) => `(function (exports, require, module, __filename, __dirname) {${source.replace(/^#!.*/, '')}\n})`

const loader = `#!/usr/bin/env node
'use strict'
// Runs bin/berth-cli.js with V8's code cache (see scripts/bundle.mjs).
const { readFileSync, writeFileSync, renameSync } = require('node:fs')
const { Script } = require('node:vm')
const { createRequire } = require('node:module')
const { join } = require('node:path')
const file = join(__dirname, 'berth-cli.js')
const cacheFile = join(__dirname, 'berth-cli.cache')
const wrap = ${wrap.toString()}
const source = wrap(readFileSync(file, 'utf8'))
let cachedData
try { cachedData = readFileSync(cacheFile) } catch {}
const script = new Script(source, { filename: file, cachedData })
if (cachedData === undefined || script.cachedDataRejected) {
  try {
    const tmp = cacheFile + '.' + process.pid
    writeFileSync(tmp, script.createCachedData())
    renameSync(tmp, cacheFile)
  } catch {}
}
const mod = { exports: {}, id: file, filename: file, loaded: false }
script.runInThisContext()(mod.exports, createRequire(file), mod, file, __dirname)
`
await writeFile('bin/berth.js', loader)

await writeFile('bin/berth', `#!/bin/sh
# The berth CLI (see scripts/bundle.mjs for why it starts this way).
if [ -n "\${NODE_EXTRA_CA_CERTS+x}" ]; then
  BERTH_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS
  export BERTH_EXTRA_CA_CERTS
  unset NODE_EXTRA_CA_CERTS
fi
self=$0
if [ -L "$self" ]; then self=$(readlink -f "$self"); fi
exec node "\${self%/*}/berth.js" "$@"
`)
await chmod('bin/berth', 0o755)

const cli = await readFile('bin/berth-cli.js', 'utf8')
await writeFile('bin/berth-cli.cache', new Script(wrap(cli), { filename: resolve('bin/berth-cli.js') }).createCachedData())
