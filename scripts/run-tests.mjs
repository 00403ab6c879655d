// Runs node's test runner over compiled test files: `unit` = dist/src/**/*.test.js,
// `integration` = dist/test/**/*.test.js (real containers; needs root and a running berthd).
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

const which = process.argv[2] ?? 'unit'
const root = which === 'unit' ? 'dist/src' : 'dist/test'
const files = []
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p)
    else if (name.endsWith('.test.js')) files.push(p)
  }
}
walk(root)
files.sort()
const args = ['--test', '--enable-source-maps', `--test-concurrency=${which === 'unit' ? 2 : 1}`, ...process.argv.slice(3), ...files]
const r = spawnSync(process.execPath, args, { stdio: 'inherit' })
process.exit(r.status ?? 1)
