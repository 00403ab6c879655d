/**
 * The built berth CLI (scripts/bundle-cli.mjs): what `berth` loads when it starts. No daemon: the
 * commands here either need none or fail to reach one on purpose.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const repo = resolve(import.meta.dirname, '../../..')
const bin = join(repo, 'bin')

interface StartRecord {
  /** Built-in modules loaded (from process.moduleLoadList). */
  builtins: string[]
  /** Files required from bin/. */
  files: string[]
  /** cachedDataRejected of the bundle's vm.Script, per script compiled with a code cache. */
  cacheRejected: boolean[]
}

/** A --require preload that records what the loader compiles and requires, written at exit. */
const PRELOAD = `
const vm = require('node:vm'); const Module = require('node:module'); const fs = require('node:fs')
const record = { builtins: [], files: [], cacheRejected: [] }
const Script = vm.Script
vm.Script = class extends Script {
  constructor(source, options) { super(source, options); if (options && options.cachedData) record.cacheRejected.push(this.cachedDataRejected) }
}
const load = Module._load
Module._load = function (request, ...rest) { if (request.startsWith('./')) record.files.push(request); return load.call(this, request, ...rest) }
process.on('exit', () => {
  record.builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13))
  fs.writeFileSync(process.env.RECORD_FILE, JSON.stringify(record))
})
`

function startRecord(t: { after: (fn: () => void) => void }, args: string[], cwd = repo): { code: number; stdout: string; stderr: string; record: StartRecord } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cli-bundle-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const preload = join(dir, 'preload.cjs')
  writeFileSync(preload, PRELOAD)
  const env: NodeJS.ProcessEnv = { ...process.env, RECORD_FILE: join(dir, 'record.json') }
  delete env.NODE_OPTIONS
  delete env.NODE_EXTRA_CA_CERTS
  const r = spawnSync(process.execPath, ['--require', preload, join(bin, 'berth.js'), ...args], { cwd, env, encoding: 'utf8', timeout: 30_000 })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, record: JSON.parse(readFileSync(join(dir, 'record.json'), 'utf8')) as StartRecord }
}

test('bin/berth-cli.js and the files split from it are plain ASCII', () => {
  for (const name of ['berth-cli.js', 'berth-cli-yaml.js', 'berth-cli-compose-schema.js']) {
    const text = readFileSync(join(bin, name), 'latin1')
    assert.equal(/[^\x00-\x7f]/.exec(text)?.index, undefined, name)
  }
})

test('berth --version uses the code cache and loads neither child_process, crypto, http nor the split files', (t) => {
  const { code, stdout, record } = startRecord(t, ['--version'])
  assert.equal(code, 0)
  assert.match(stdout, /^berth version /)
  assert.deepEqual(record.cacheRejected, [false])
  for (const name of ['child_process', 'crypto', 'http', 'https']) assert.equal(record.builtins.includes(name), false, name)
  assert.deepEqual(record.files, [])
})

test('berth ps against no daemon on a unix socket loads net but not http, child_process or the split files', (t) => {
  const { code, record } = startRecord(t, ['-H', 'unix:///nonexistent/berth.sock', 'ps'])
  assert.equal(code, 1)
  assert.equal(record.builtins.includes('net'), true)
  for (const name of ['http', 'https', 'child_process']) assert.equal(record.builtins.includes(name), false, name)
  assert.deepEqual(record.files, [])
})

test('berth compose config requires the yaml and compose schema files split from the bundle', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cli-bundle-project-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: busybox\n    command: ["sleep", "1µs"]\n')
  const ok = startRecord(t, ['compose', 'config', '--format', 'json'], dir)
  assert.equal(ok.code, 0)
  assert.deepEqual(JSON.parse(ok.stdout).services.web.command, ['sleep', '1µs'])
  assert.deepEqual([...new Set(ok.record.files)].sort(), ['./berth-cli-compose-schema.js', './berth-cli-yaml.js'])

  writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    imagex: busybox\n')
  const bad = startRecord(t, ['compose', 'config'], dir)
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /services\.web Additional property imagex is not allowed/)
})
