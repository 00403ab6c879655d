import { readFile, stat } from 'node:fs/promises'
import * as path from 'node:path'
import { canonicalService, type ServiceSource } from './canonical-service.js'
import { ComposeError } from './compose-error.js'
import { interpolateTree } from './interpolate.js'
import { mergeModels, mergeService } from './merge.js'
import { parseEnvFile } from './env-file.js'
import { parseYamlDocuments } from './parse-yaml.js'
import { isMap, scalarString, toStringList, type RawMap } from './raw.js'
import { resolveResourceFiles } from './resources.js'
import { validateSchema } from './validate-schema.js'
import { resolveTags } from './yaml-tags.js'

/**
 * One Compose file (plus what it `include`s and `extends`) → a canonical raw model: interpolated,
 * schema-checked, services in canonical long syntax with paths resolved. `-f` files are then
 * merged with mergeModels.
 */

export interface LoadedModel {
  model: RawMap
  /** The file and every file it included, in load order. */
  files: string[]
}

export interface ModelOptions {
  file: string
  /** Directory relative paths resolve against (project directory, or the included project's). */
  baseDir: string
  env: Record<string, string>
  warn: (message: string) => void
  interpolate: boolean
  /** Per-load cache of parsed files (extends from another file) and warned variables. */
  shared?: SharedState
  /** Reads a file's text ("-" is standard input); default: the file system. */
  readText?: (file: string) => Promise<string>
  /** Files being included (cycle detection). */
  includeStack?: string[]
}

interface SharedState {
  raw: Map<string, RawMap[]>
  unsetWarned: Set<string>
}

const TOP_LEVEL = new Set(['version', 'name', 'include', 'services', 'networks', 'volumes', 'secrets', 'configs', 'models'])

/** Reads, parses, upgrades (v1), interpolates and schema-validates one file's documents. */
async function readRawModel(file: string, o: ModelOptions, shared: SharedState): Promise<RawMap[]> {
  const cacheKey = `${file}\0${o.interpolate}`
  const cached = shared.raw.get(cacheKey)
  if (cached) return cached
  let text: string
  try {
    text = o.readText ? await o.readText(file) : await readFile(file, 'utf8')
  } catch (err) {
    if (err instanceof ComposeError) throw err
    throw new ComposeError(`open ${file}: no such file or directory`, { file }, { cause: err })
  }
  const docs = parseYamlDocuments(text, file).map((doc) => prepareDocument(doc, file, o, shared))
  shared.raw.set(cacheKey, docs)
  return docs
}

function prepareDocument(parsed: unknown, file: string, o: ModelOptions, shared: SharedState): RawMap {
  let doc = parsed
  if (!isMap(doc)) throw new ComposeError(`${file}: top-level object must be a mapping`, { file })
  if (doc.version !== undefined) {
    o.warn(`${file}: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion`)
  } else if (doc.services === undefined && Object.keys(doc).some((k) => !TOP_LEVEL.has(k) && !k.startsWith('x-'))) {
    doc = upgradeV1(doc)
  }
  if (o.interpolate) {
    doc = interpolateTree(doc, {
      file,
      lookup: (name) => o.env[name],
      onUnset: (name) => {
        if (shared.unsetWarned.has(name)) return
        shared.unsetWarned.add(name)
        o.warn(`The "${name}" variable is not set. Defaulting to a blank string.`)
      },
    }) as RawMap
  }
  const { version: _version, ...model } = doc as RawMap
  validateSchema(resolveTags(model), file)
  return model
}

/**
 * Compose file format 1: every top-level key is a service; `net:` became `network_mode:`,
 * `dockerfile:` moved under `build:`, `log_driver`/`log_opt` became `logging:`.
 */
function upgradeV1(doc: RawMap): RawMap {
  const services: RawMap = {}
  for (const [name, def] of Object.entries(doc)) {
    if (!isMap(def)) { services[name] = def; continue }
    const { net, dockerfile, log_driver: logDriver, log_opt: logOpt, ...rest } = def
    const svc: RawMap = { ...rest }
    if (net !== undefined) svc.network_mode = net
    if (dockerfile !== undefined) svc.build = { ...(isMap(svc.build) ? svc.build : { context: svc.build ?? '.' }), dockerfile }
    if (logDriver !== undefined || logOpt !== undefined) {
      svc.logging = { ...(logDriver !== undefined ? { driver: logDriver } : {}), ...(logOpt !== undefined ? { options: logOpt } : {}) }
    }
    services[name] = svc
  }
  return { services }
}

export async function loadModel(o: ModelOptions): Promise<LoadedModel> {
  const shared = o.shared ?? { raw: new Map(), unsetWarned: new Set() }
  const docs = await readRawModel(o.file, o, shared)
  let merged: LoadedModel = { model: {}, files: [o.file] }
  for (const raw of docs) {
    const loaded = await loadDocument(raw, { ...o, shared })
    merged = { model: mergeModels(merged.model, loaded.model), files: [...merged.files, ...loaded.files.slice(1)] }
  }
  return merged
}

async function loadDocument(raw: RawMap, o: ModelOptions): Promise<LoadedModel> {
  const shared = o.shared!
  const files = [o.file]
  const home = o.env.HOME
  const source: ServiceSource = { file: o.file, baseDir: o.baseDir, home }

  const services: RawMap = {}
  const rawServices = isMap(raw.services) ? raw.services : {}
  for (const name of Object.keys(rawServices)) {
    services[name] = await resolveExtends(name, rawServices, source, { ...o, shared }, [])
  }
  let model: RawMap = { ...raw, services }
  delete model.include
  for (const key of ['secrets', 'configs']) {
    const resolved = resolveResourceFiles(model[key], o.baseDir, home)
    if (resolved) model[key] = resolved
  }

  const includes = Array.isArray(raw.include) ? raw.include : []
  if (includes.length > 0) {
    let imported: RawMap | undefined
    for (const entry of includes) {
      const loaded = await loadInclude(entry, { ...o, shared })
      files.push(...loaded.files)
      imported = imported ? mergeImported(imported, loaded.model, o.file) : loaded.model
    }
    model = mergeImported(imported!, model, o.file)
  }
  return { model, files }
}

/** Resolves a service's `extends` chain (same file or another file) into one canonical service. */
interface ServiceRef { file: string; service: string }

async function resolveExtends(name: string, services: RawMap, source: ServiceSource, o: ModelOptions, stack: ServiceRef[]): Promise<RawMap> {
  const key: ServiceRef = { file: source.file!, service: name }
  if (stack.some((r) => r.file === key.file && r.service === key.service)) {
    const lines = ['Circular reference:', `  ${stack[0]!.service} in ${stack[0]!.file}`, ...[...stack.slice(1), key].map((r) => `  extends ${r.service} in ${r.file}`)]
    throw new ComposeError(lines.join('\n'), { file: source.file, path: `services.${name}.extends` })
  }
  const raw = services[name]
  if (!isMap(raw)) throw new ComposeError(`${source.file}: services.${name}: must be a mapping`, { file: source.file, path: `services.${name}` })
  const { extends: ext, ...own } = raw
  const current = canonicalService(own, name, source)
  if (ext === undefined || ext === null) return current
  const spec: RawMap = isMap(ext) ? ext : { service: ext }
  const baseName = scalarString(spec.service)
  let base: RawMap
  if (spec.file !== undefined) {
    const otherFile = path.resolve(source.file === '-' ? source.baseDir : path.dirname(source.file!), scalarString(spec.file))
    const other = await readRawModel(otherFile, o, o.shared!)
    const otherServices: RawMap = Object.assign({}, ...other.map((d) => (isMap(d.services) ? d.services : {})))
    if (!isMap(otherServices[baseName])) {
      throw new ComposeError(`cannot extend service "${name}" in ${source.file}: service "${baseName}" not found in ${otherFile}`, { file: source.file, path: `services.${name}.extends` })
    }
    base = await resolveExtends(baseName, otherServices, { file: otherFile, baseDir: path.dirname(otherFile), home: source.home }, o, [...stack, key])
  } else {
    if (!isMap(services[baseName])) {
      throw new ComposeError(`cannot extend service "${name}" in ${source.file}: service "${baseName}" not found`, { file: source.file, path: `services.${name}.extends` })
    }
    base = await resolveExtends(baseName, services, source, o, [...stack, key])
  }
  return mergeService(base, current)
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false)
}

/** One `include:` entry: its files merged like `-f`, with their own project directory and env. */
async function loadInclude(entry: unknown, o: ModelOptions): Promise<LoadedModel> {
  const spec: RawMap = isMap(entry) ? entry : { path: entry }
  const includerDir = o.file === '-' ? o.baseDir : path.dirname(o.file)
  const paths = toStringList(spec.path).map((p) => path.resolve(includerDir, p))
  if (paths.length === 0) throw new ComposeError(`${o.file}: include: path is required`, { file: o.file, path: 'include' })
  const projectDir = spec.project_directory !== undefined ? path.resolve(includerDir, scalarString(spec.project_directory)) : path.dirname(paths[0]!)
  let envFiles = toStringList(spec.env_file).map((p) => path.resolve(includerDir, p))
  if (envFiles.length === 0 && await exists(path.join(projectDir, '.env'))) envFiles = [path.join(projectDir, '.env')]
  const env = { ...o.env }
  for (const f of envFiles) {
    let text: string
    try { text = await readFile(f, 'utf8') } catch (err) {
      throw new ComposeError(`${o.file}: include: couldn't find env file: ${f}`, { file: o.file, path: 'include' }, { cause: err })
    }
    Object.assign(env, parseEnvFile(text, (n) => env[n]))
  }
  const stack = o.includeStack ?? [o.file]
  let merged: LoadedModel | undefined
  for (const p of paths) {
    if (stack.includes(p)) {
      throw new ComposeError(`include cycle detected:\n${stack[0]}\n include ${[...stack.slice(1), p].join('\n include ')}`, { file: o.file, path: 'include' })
    }
    const loaded = await loadModel({ ...o, file: p, baseDir: projectDir, env, includeStack: [...stack, p], shared: { raw: new Map(), unsetWarned: o.shared!.unsetWarned } })
    merged = merged ? { model: mergeModels(merged.model, loaded.model), files: [...merged.files, ...loaded.files] } : loaded
  }
  return merged!
}

/** Adds included resources to a model; a resource defined on both sides is an error unless identical. */
function mergeImported(base: RawMap, model: RawMap, file: string): RawMap {
  const out: RawMap = { ...model }
  for (const section of ['services', 'networks', 'volumes', 'secrets', 'configs']) {
    const imported = isMap(base[section]) ? base[section] : {}
    const own = isMap(model[section]) ? model[section] : {}
    for (const key of Object.keys(imported)) {
      if (key in own && JSON.stringify(own[key]) !== JSON.stringify(imported[key])) {
        throw new ComposeError(`${file}: ${section}.${key} conflicts with imported resource`, { file, path: `${section}.${key}` })
      }
    }
    if (Object.keys(imported).length > 0 || model[section] !== undefined) out[section] = { ...imported, ...own }
  }
  return out
}
