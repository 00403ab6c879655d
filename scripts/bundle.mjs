// Bundles the entry points into single CommonJS files (one file to load instead of hundreds of
// modules). Native addons stay external. The berth CLI is built by scripts/bundle-cli.mjs.
import { build } from 'esbuild'
import { bundleCli } from './bundle-cli.mjs'
import { chmod, writeFile, mkdir } from 'node:fs/promises'

await mkdir('bin', { recursive: true })
await writeFile('bin/package.json', JSON.stringify({ type: 'commonjs' }) + '\n')
// bin/berth-registry is the registry server alone, copied into the berth/registry image.
// berthd keeps V8's optimizing compiler: running it with --no-opt saved ~7 MB of RSS after a few
// container runs but made its hot JS paths several times slower (`logs` of a 100 MB log: 2.6 s -> 10.4 s).
for (const [entry, out] of [['src/daemon/main.ts', 'bin/berthd'], ['src/registry/main.ts', 'bin/berth-registry']]) {
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['node-unix-socket'],
    banner: { js: '#!/usr/bin/env node' },
    // A lazy import() stays a require(): a real import() would start node's ESM loader (~3 MB).
    ...(out === 'bin/berthd' ? { supported: { 'dynamic-import': false } } : {}),
    sourcemap: 'linked',
    logLevel: 'warning',
  })
  await chmod(out, 0o755)
}

await bundleCli()
