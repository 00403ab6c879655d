// Bundles the entry points into single CommonJS files (one file to load instead of hundreds of
// modules). Native addons stay external. The berth CLI is built by scripts/bundle-cli.mjs.
import { build } from 'esbuild'
import { bundleCli, toAscii } from './bundle-cli.mjs'
import { chmod, readFile, writeFile, mkdir } from 'node:fs/promises'
import { BERTHD_SHEBANG } from '../dist/src/daemon/start-env.js'

await mkdir('bin', { recursive: true })
await writeFile('bin/package.json', JSON.stringify({ type: 'commonjs' }) + '\n')
// bin/berth-registry is the registry server alone, copied into the berth/registry image.
// bin/berth-unpack unpacks stored image layers for berthd, in a process of its own (src/daemon/unpack-child.ts).
// berthd keeps V8's optimizing compiler: running it with --no-opt saved ~7 MB of RSS after a few
// container runs but made its hot JS paths several times slower (`logs` of a 100 MB log: 2.6 s -> 10.4 s);
// so did --max-semi-space-size=1 (`logs` 2x the CPU), --optimize-for-size (2 s idle RSS -2.5 MB, `logs` ~3x
// the CPU) and --ticks-before-optimization=100 (no TurboFan during an image import, -5 MB, but `logs` +25 %
// and `create` +30 % CPU). Its memory settings are glibc's instead
// (src/daemon/malloc-tunables.ts), given through env -S because glibc reads them only at exec; the
// shebang also keeps node from loading NODE_EXTRA_CA_CERTS at start-up (src/daemon/start-env.ts).
const banners = {
  'bin/berthd': BERTHD_SHEBANG,
  'bin/berth-registry': '#!/usr/bin/env node',
  'bin/berth-unpack': '#!/usr/bin/env node',
}
for (const [entry, out] of [['src/daemon/main.ts', 'bin/berthd'], ['src/registry/main.ts', 'bin/berth-registry'], ['src/daemon/unpack-main.ts', 'bin/berth-unpack']]) {
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['node-unix-socket'],
    banner: { js: banners[out] },
    // A lazy import() stays a require(): a real import() would start node's ESM loader (~3 MB).
    // Node keeps the whole source text in memory for as long as berthd runs: its whitespace is
    // minified (names are kept, so stack traces and the source map stay readable).
    ...(out === 'bin/berthd' ? { supported: { 'dynamic-import': false }, minifyWhitespace: true } : {}),
    sourcemap: 'linked',
    logLevel: 'warning',
  })
  // Plain ASCII (as the CLI bundle): node decodes a UTF-8 file with any other character several times slower.
  if (out === 'bin/berthd') await writeFile(out, toAscii(await readFile(out, 'utf8')))
  await chmod(out, 0o755)
}

await bundleCli()
