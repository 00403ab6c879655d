// Builds the berth CLI (bin/berth and the files beside it) so that it starts fast: `berth ps` or
// `berth run` is mostly node start-up, so everything here is about what node reads, compiles and
// runs before the command itself.
//
// The CLI starts in three steps:
// - bin/berth, a sh launcher (scripts/berth-launcher.sh):
//   - plain `berth ps` invocations are answered without node: the daemon renders the table
//     (GET /berth/cli/ps, with the CLI's own formatting code) and curl prints it; node's start-up
//     alone is ~40 ms of wall time here, more than the goal for `ps -a` with 1000 containers;
//   - node parses the whole NODE_EXTRA_CA_CERTS file before any JavaScript
//     runs (~50 ms of CPU for a system bundle); the CLI needs those certificates only for a TLS daemon
//     endpoint without a CA of its own, so the launcher hands the variable on as BERTH_EXTRA_CA_CERTS
//     and the client adds it there (src/client/http-transport.ts).
// - bin/berth.js, a loader: compiles the bundle with V8's code cache (bin/berth-cli.cache), which
//   skips parsing and compiling the bundle at every start. The cache is made here by running a few
//   commands against a stand-in daemon (scripts/cli-warmup.mjs), so that it also holds the functions
//   those commands compile (option parsing, the HTTP client, table rendering), not only the top level.
//   A cache the running node rejects (another node version or V8 flags) only costs the normal
//   compile; the loader then writes a fresh one when the command ends.
// - bin/berth-cli.js, the bundle itself, kept small:
//   - whitespace is minified (names are kept: stack traces and the source map stay readable);
//   - large self-contained parts that only some commands use are separate files, required when
//     first used (SPLIT below): the compose schema validator (~580 kB) and the yaml package;
//   - built-in modules that start-up does not need (child_process, which commander requires at
//     load, crypto, and os, which is only asked for the home directory when HOME is unset) are
//     loaded on first use (LAZY_BUILTINS);
//   - it is plain ASCII: node decodes a UTF-8 file with any other character several times slower
//     (~8 ms for the bundle), so the few left in regular expressions are escaped.
import { build } from 'esbuild'
import { chmod, readFile, writeFile, mkdir, rm } from 'node:fs/promises'
import { resolve } from 'node:path'
import { warmCodeCache } from './cli-warmup.mjs'

/** Modules bundled into their own file in bin/ and required from the CLI bundle when first used. */
const SPLIT = [
  { filter: /\/compose-spec-validator\.js$/, entry: 'src/compose/model/compose-spec-validator.ts', out: 'berth-cli-compose-schema.js' },
  { filter: /^yaml$/, entry: 'yaml', out: 'berth-cli-yaml.js' },
]

/** Built-in modules the bundle requires through a proxy that loads them on first property access. */
const LAZY_BUILTINS = ['node:child_process', 'child_process', 'node:crypto', 'crypto', 'node:os', 'os']

// Seven characters, as `require`, so that replacing one by the other keeps the source map's columns.
const LAZY_REQUIRE = '__lazyR'
const lazyRequireBanner = `var ${LAZY_REQUIRE} = (id) => {
  let m;
  const load = () => m ??= require(id);
  return new Proxy({}, {
    get: (_, key) => load()[key],
    has: (_, key) => key in load(),
    ownKeys: () => Reflect.ownKeys(load()),
    getOwnPropertyDescriptor: (_, key) => { const d = Reflect.getOwnPropertyDescriptor(load(), key); return d && { ...d, configurable: true } },
    getPrototypeOf: () => Reflect.getPrototypeOf(load()),
  });
};`

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['node-unix-socket'],
  minifyWhitespace: true,
  sourcemap: 'linked',
  logLevel: 'warning',
}

const splitPlugin = {
  name: 'berth-cli-split',
  setup(b) {
    for (const { filter, out } of SPLIT) {
      b.onResolve({ filter }, (args) => (args.kind === 'entry-point' ? undefined : { path: `./${out}`, external: true }))
    }
  },
}

/** Escapes every non-ASCII character (\uXXXX means the same in strings, regular expressions, identifiers and comments). */
export const toAscii = (code) => code.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

/** Must match wrap() in the loader below: the cache is only valid for the very same source text. */
const wrap = (source) => `(function (exports, require, module, __filename, __dirname) {${source.replace(/^#!.*/, '')}\n})`

export async function bundleCli() {
  await mkdir('bin', { recursive: true })
  await build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'bin/berth-cli.js',
    banner: { js: `#!/usr/bin/env node\n${lazyRequireBanner}` },
    plugins: [splitPlugin],
  })
  for (const { entry, out } of SPLIT) {
    await build({ ...common, entryPoints: [entry], outfile: `bin/${out}` })
  }
  for (const out of ['berth-cli.js', ...SPLIT.map((s) => s.out)]) {
    let code = toAscii(await readFile(`bin/${out}`, 'utf8'))
    if (out === 'berth-cli.js') {
      for (const id of LAZY_BUILTINS) code = code.replaceAll(`require("${id}")`, `${LAZY_REQUIRE}("${id}")`)
    }
    await writeFile(`bin/${out}`, code)
  }
  await chmod('bin/berth-cli.js', 0o755)

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

  const loader = `#!/usr/bin/env node
'use strict'
// Runs bin/berth-cli.js with V8's code cache (see scripts/bundle-cli.mjs).
const { readFileSync, writeFileSync, renameSync } = require('node:fs')
const { Script } = require('node:vm')
// The bundle gets this file's own require: it requires only built-ins and files beside it, which
// resolve the same from here (module.createRequire would load node:module and the ES module
// loader, ~0.5 ms of every start).
const file = __dirname + '/berth-cli.js'
const cacheFile = __dirname + '/berth-cli.cache'
const wrap = ${wrap.toString()}
// The bundle is plain ASCII, which latin1 decodes to the same string ~4x faster than utf8 (~2 ms).
const source = wrap(readFileSync(file, 'latin1'))
let cachedData
try { cachedData = readFileSync(cacheFile) } catch {}
const script = new Script(source, { filename: file, cachedData })
const writeCache = () => {
  try {
    const tmp = cacheFile + '.' + process.pid
    writeFileSync(tmp, script.createCachedData())
    renameSync(tmp, cacheFile)
  } catch {}
}
// Made at exit, so that the cache also holds what the command compiled. The build sets
// BERTH_WRITE_CODE_CACHE to add to the cache it is making.
if (process.env.BERTH_WRITE_CODE_CACHE === '1' || cachedData === undefined || script.cachedDataRejected) {
  process.on('exit', writeCache)
}
const mod = { exports: {}, id: file, filename: file, loaded: false }
script.runInThisContext()(mod.exports, require, mod, file, __dirname)
`
  await writeFile('bin/berth.js', loader)

  await writeFile('bin/berth', await readFile('scripts/berth-launcher.sh', 'utf8'))
  await chmod('bin/berth', 0o755)

  await rm('bin/berth-cli.cache', { force: true })
  try {
    await warmCodeCache(resolve('bin'))
  } catch (err) {
    // Not fatal: without a cache the first `berth` run compiles the bundle and writes one.
    console.warn(`bundle-cli: no code cache for the CLI (${err.message})`)
  }
}
