// Bundles the entry points into single CommonJS files (one file to load instead of hundreds of
// modules). Native addons stay external. The berth CLI is built by scripts/bundle-cli.mjs.
import { build } from 'esbuild'
import { bundleCli } from './bundle-cli.mjs'
import { chmod, writeFile, mkdir } from 'node:fs/promises'

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
for (const [entry, out] of [['src/daemon/main.ts', 'bin/berthd'], ['src/registry/main.ts', 'bin/berth-registry']]) {
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

await bundleCli()
