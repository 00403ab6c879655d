import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import tarStream from 'tar-stream'
import { DockerIgnore } from '../../../common/index.js'
import { contextTar } from './context-tar.js'

async function names(stream: Readable): Promise<string[]> {
  const extract = tarStream.extract()
  const out: string[] = []
  extract.on('entry', (h, s, next) => {
    out.push(h.name)
    s.on('end', () => next())
    s.resume()
  })
  const done = new Promise<void>((resolve, reject) => {
    extract.on('finish', () => resolve())
    extract.on('error', reject)
  })
  stream.pipe(extract as unknown as NodeJS.WritableStream)
  await done
  return out
}

test('contextTar() leaves out ignored files but always sends the Dockerfile and .dockerignore', async (t) => {
  const dir = mkdtempSync('/tmp/berth-ctxtar-')
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'node_modules/x'), { recursive: true })
  mkdirSync(join(dir, 'logs'))
  for (const f of ['Dockerfile', '.dockerignore', 'main.js', 'node_modules/x/i.js', 'logs/a.log', 'logs/keep.log']) writeFileSync(join(dir, f), f)
  const ignore = DockerIgnore.parse('node_modules\nlogs\n!logs/keep.log\nDockerfile\n.dockerignore\n')
  const got = await names(contextTar({ dir, ignore, keep: new Set(['Dockerfile', '.dockerignore']), extra: { '.dockerfile.x': Buffer.from('FROM a') } }))
  assert.deepEqual(got, ['.dockerignore', 'Dockerfile', 'logs/keep.log', 'main.js', '.dockerfile.x'])
})
