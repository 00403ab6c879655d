import { readFile, stat } from 'node:fs/promises'
import * as path from 'node:path'
import { normalizeProjectName } from '../labels.js'
import { ComposeError } from './compose-error.js'
import { parseEnvFile } from './env-file.js'
import { interpolateTree } from './interpolate.js'
import { parseYamlDocuments } from './parse-yaml.js'
import { isMap } from './raw.js'
import { loadModel, type LoadedModel } from './load-model.js'
import { mergeModels } from './merge.js'
import { buildProject } from './build-project.js'
import type { ComposeProject, LoadOptions } from './types.js'

/** Compose v2's default file search order, and the override files looked for beside the winner. */
export const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml']
export const OVERRIDE_FILES = ['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml']

async function exists(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isFile(), () => false)
}

/** The default files: the first of DEFAULT_FILES in cwd or its nearest ancestor, plus its override. */
export async function findDefaultFiles(cwd: string, warn: (m: string) => void): Promise<string[]> {
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    const found: string[] = []
    for (const name of DEFAULT_FILES) if (await exists(path.join(dir, name))) found.push(path.join(dir, name))
    if (found.length > 0) {
      if (found.length > 1) warn(`Found multiple config files with supported names: ${found.join(', ')}\nUsing ${found[0]}`)
      const overrides: string[] = []
      for (const name of OVERRIDE_FILES) if (await exists(path.join(dir, name))) overrides.push(path.join(dir, name))
      if (overrides.length > 1) warn(`Found multiple override files with supported names: ${overrides.join(', ')}\nUsing ${overrides[0]}`)
      return overrides.length > 0 ? [found[0]!, overrides[0]!] : [found[0]!]
    }
    if (path.dirname(dir) === dir) return []
  }
}

/** Reads .env-syntax files; values expand against earlier ones and `env`. */
export async function readEnvFiles(files: string[], env: Record<string, string | undefined>): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const file of files) {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      throw new ComposeError(`couldn't find env file: ${file}`, { file }, { cause: err })
    }
    try {
      Object.assign(out, parseEnvFile(text, (name) => out[name] ?? env[name]))
    } catch (err) {
      throw new ComposeError(`failed to read ${file}: ${(err as Error).message}`, { file }, { cause: err })
    }
  }
  return out
}

function checkProjectName(name: string): string {
  if (name === '') throw new ComposeError('project name must not be empty')
  if (normalizeProjectName(name) !== name) {
    throw new ComposeError(`invalid project name ${JSON.stringify(name)}: must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`)
  }
  return name
}

/** The last `name:` among the files (interpolated, normalized), read before the full load like Compose does. */
async function nameFromFiles(files: string[], env: Record<string, string>, readText: (file: string) => Promise<string>): Promise<string> {
  let found = ''
  for (const file of files) {
    try {
      for (const doc of parseYamlDocuments(await readText(file), file)) {
        if (isMap(doc) && typeof doc.name === 'string' && doc.name !== '') found = doc.name
      }
    } catch {
      // Parse errors are reported by the full load.
    }
  }
  if (found === '') return ''
  return normalizeProjectName(interpolateTree(found, { lookup: (n) => env[n], file: files[0] }) as string)
}

async function readStdinOnce(options: LoadOptions): Promise<string> {
  if (!options.readStdin) throw new ComposeError('reading a compose file from standard input ("-f -") is not supported here')
  return options.readStdin()
}

/**
 * Reads, interpolates, merges and normalizes the project's Compose files.
 * Throws ComposeError (naming file and key) for anything invalid; never touches the engine.
 */
export async function loadProject(options: LoadOptions): Promise<ComposeProject> {
  const warn = options.onWarning ?? (() => {})
  const cwd = options.cwd
  const osEnv = options.env
  let files = options.files.map((f) => (f === '-' ? '-' : path.resolve(cwd, f)))
  const dirOf = (f: string) => (f === '-' ? cwd : path.dirname(f))
  const workingDirGuess = options.projectDirectory ? path.resolve(cwd, options.projectDirectory) : files[0] ? dirOf(files[0]) : cwd

  // .env (or --env-file) first: it may set COMPOSE_FILE, COMPOSE_PROJECT_NAME, COMPOSE_PROFILES.
  let envFiles = options.envFiles.map((f) => path.resolve(cwd, f))
  if (envFiles.length === 0 && osEnv.COMPOSE_ENV_FILES) envFiles = osEnv.COMPOSE_ENV_FILES.split(',').filter(Boolean).map((f) => path.resolve(cwd, f))
  if (envFiles.length === 0 && await exists(path.join(workingDirGuess, '.env'))) envFiles = [path.join(workingDirGuess, '.env')]
  const dotEnv = await readEnvFiles(envFiles, osEnv)
  const env: Record<string, string> = { ...dotEnv }
  for (const [k, v] of Object.entries(osEnv)) if (v !== undefined) env[k] = v

  if (files.length === 0 && env.COMPOSE_FILE) {
    files = env.COMPOSE_FILE.split(env.COMPOSE_PATH_SEPARATOR || ':').filter(Boolean).map((f) => path.resolve(workingDirGuess, f))
  }
  if (files.length === 0) files = await findDefaultFiles(workingDirGuess, warn)
  if (files.length === 0) throw new ComposeError('no configuration file provided: not found')
  const projectDir = options.projectDirectory ? path.resolve(cwd, options.projectDirectory) : dirOf(files[0]!)
  const stdin = files.includes('-') ? await readStdinOnce(options) : undefined
  const readText = async (file: string): Promise<string> => (file === '-' ? stdin! : readFile(file, 'utf8'))

  const profiles = options.profiles.length > 0 ? options.profiles
    : (env.COMPOSE_PROFILES ?? '').split(',').map((p) => p.trim()).filter(Boolean)

  let name: string
  if (options.projectName !== undefined) name = checkProjectName(options.projectName)
  else if (env.COMPOSE_PROJECT_NAME) name = checkProjectName(env.COMPOSE_PROJECT_NAME)
  else name = (await nameFromFiles(files, env, readText)) || normalizeProjectName(path.basename(projectDir))
  if (name === '') throw new ComposeError('project name must not be empty')
  env.COMPOSE_PROJECT_NAME = name

  let merged: LoadedModel | undefined
  const configFiles: string[] = []
  for (const file of files) {
    const model = await loadModel({ file, baseDir: projectDir, env, warn, interpolate: !options.noInterpolate, readText })
    configFiles.push(...model.files)
    merged = merged ? { model: mergeModels(merged.model, model.model), files: [] } : model
  }

  if (Object.keys(merged!.model).length === 0) throw new ComposeError(`empty compose file: ${files.join(', ')}`, { file: files[0] })
  return buildProject({
    name, workingDir: projectDir, configFiles, model: merged!.model, env, profiles, warn, envFiles,
  })
}
