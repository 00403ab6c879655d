import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadProject, type ComposeProject } from '../model/index.js'

/** Loads a project from YAML text written to a temporary directory (removed afterwards). Test helper. */
export async function projectFromYaml(yaml: string, name = 'proj', files: Record<string, string> = {}): Promise<ComposeProject> {
  const dir = mkdtempSync(join(tmpdir(), 'compose-engine-test-'))
  try {
    writeFileSync(join(dir, 'compose.yaml'), yaml)
    for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content)
    return await loadProject({ files: [], projectName: name, envFiles: [], profiles: [], env: {}, cwd: dir })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
