/**
 * The build context: a tar stream (plain or gzip) read into a ContextTree, with `.dockerignore`
 * applied the way dockerd applies it to an archive it receives (ignored files are removed; the
 * Dockerfile is read first, so it may be ignored and still used). Entries that would land outside
 * the context are dropped; ownership is not kept (COPY gives 0:0 anyway). Nothing is written to
 * disk unless the context is bigger than the memory the tree may use.
 */
import { DockerIgnore } from '../../common/index.js'
import { buildError } from './file-ops.js'
import { cleanEntryName, ContextTree, type ContextTreeOptions } from './context-tree.js'

/** Reads the context archive into a tree whose paths live under `opts.root`. */
export async function readContext(archive: NodeJS.ReadableStream, opts: ContextTreeOptions): Promise<ContextTree> {
  return ContextTree.read(archive, opts)
}

export interface LoadedContext {
  dockerfile: string
  /** The Dockerfile's name as given (for messages). */
  dockerfileName: string
}

/**
 * Reads the Dockerfile (`name`, else "Dockerfile", else "dockerfile" as dockerd falls back), then
 * removes what .dockerignore excludes.
 */
export async function prepareContext(tree: ContextTree, name: string | undefined): Promise<LoadedContext> {
  const candidates = name ? [name] : ['Dockerfile', 'dockerfile']
  let dockerfile: string | undefined
  let used = candidates[0] as string
  for (const c of candidates) {
    const rel = cleanEntryName(c)
    if (rel === undefined) continue
    dockerfile = await tree.readText(rel)
    if (dockerfile !== undefined) {
      used = c
      break
    }
  }
  if (dockerfile === undefined) {
    throw buildError(`Cannot locate specified Dockerfile: ${used}`)
  }
  const ignoreText = await tree.readText('.dockerignore')
  if (ignoreText !== undefined) {
    const ignore = DockerIgnore.parse(ignoreText)
    if (!ignore.empty) tree.applyIgnore(ignore)
  }
  return { dockerfile, dockerfileName: used }
}
