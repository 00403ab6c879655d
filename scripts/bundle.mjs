// Bundles the entry points into single CommonJS files (one file to load instead of hundreds of
// modules). Native addons stay external. The berth CLI is built by scripts/bundle-cli.mjs.
import { build } from 'esbuild'
import { bundleCli } from './bundle-cli.mjs'
import { chmod, writeFile, mkdir } from 'node:fs/promises'

await mkdir('bin', { recursive: true })
await writeFile('bin/package.json', JSON.stringify({ type: 'commonjs' }) + '\n')
// bin/berth-registry is the registry server alone, copied into the berth/registry image.
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
    sourcemap: 'linked',
    logLevel: 'warning',
  })
  await chmod(out, 0o755)
}

await bundleCli()
