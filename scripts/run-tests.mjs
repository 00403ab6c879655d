// Runs node's test runner over compiled test files: `unit` = dist/src/**/*.test.js,
// `integration` = dist/test/**/*.test.js (real containers; needs root and a running berthd).
import { readdirSync, rmdirSync, statSync } from 'node:fs'
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
if (which === 'integration') {
  // crun makes /berth/<id> in every cgroup hierarchy and berthd leaves the parent (as dockerd leaves
  // /docker); every test daemon has stopped now, so the parent goes when empty.
  for (const h of readdirSync('/sys/fs/cgroup')) {
    try { rmdirSync(join('/sys/fs/cgroup', h, 'berth')) } catch { /* missing, or used by a berthd outside the tests */ }
  }
}
process.exit(r.status ?? 1)
