import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import type { TestContext } from 'node:test'
import { loadProject } from './load-project.js'
import type { ComposeProject, LoadOptions } from './types.js'

/** Writes `files` (relative path → text) into a fresh temporary directory removed after the test. */
export async function projectDir(t: TestContext, files: Record<string, string>, name = 'proj'): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'berth-compose-'))
  t.after(() => rm(root, { recursive: true, force: true }))
  const dir = path.join(root, name)
  await mkdir(dir, { recursive: true })
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true })
    await writeFile(path.join(dir, rel), text)
  }
  return dir
}

/** loadProject with test defaults (no env, cwd = dir); returns the project and collected warnings. */
export async function load(dir: string, options: Partial<LoadOptions> = {}): Promise<ComposeProject & { warnings: string[] }> {
  const warnings: string[] = []
  const project = await loadProject({ files: [], envFiles: [], profiles: [], env: {}, cwd: dir, onWarning: (m) => warnings.push(m), ...options })
  return Object.assign(project, { warnings })
}
