// Bundles the two entry points into single CommonJS files so that `berth` starts fast
// (one file to load instead of hundreds of modules). Native addons stay external.
import { build } from 'esbuild'
import { chmod, writeFile, mkdir } from 'node:fs/promises'

await mkdir('bin', { recursive: true })
await writeFile('bin/package.json', JSON.stringify({ type: 'commonjs' }) + '\n')
for (const [entry, out] of [['src/daemon/main.ts', 'bin/berthd'], ['src/cli/main.ts', 'bin/berth']]) {
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

// `berth-compose ARGS` is `berth compose ARGS` (for tools that look for a standalone compose
// binary), and bin/cli-plugins/docker-compose is a docker CLI plugin (link it into ~/.docker/cli-plugins/): `docker compose ARGS` runs it with
// docker's own argv (global flags, then "compose"), which berth parses the same way.
await writeFile('bin/berth-compose', `#!/usr/bin/env node
process.argv.splice(2, 0, 'compose')
require('./berth')
`)
await mkdir('bin/cli-plugins', { recursive: true })
await writeFile('bin/cli-plugins/docker-compose', `#!/usr/bin/env node
if (process.argv[2] === 'docker-cli-plugin-metadata') {
  process.stdout.write(JSON.stringify({ SchemaVersion: '0.1.0', Vendor: 'berth', Version: 'v2.29.0', ShortDescription: 'Docker Compose (berth)' }) + '\\n')
  process.exit(0)
}
require('../berth')
`)
await chmod('bin/berth-compose', 0o755)
await chmod('bin/cli-plugins/docker-compose', 0o755)

