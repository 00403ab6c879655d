import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { EngineError } from '../common/index.js'
import type { BootstrapRegistryOptions } from '../engine/images/index.js'
import { run } from '../sys/index.js'

/** Absolute library paths from `ldd` output (the vDSO has none and is skipped). Pure. */
export function parseLdd(output: string): string[] {
  const libs: string[] = []
  for (const line of output.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(0x/.exec(line)
    if (m?.[1]) libs.push(m[1])
  }
  return libs
}

/**
 * Where bin/berth-registry is: beside the running berthd bundle (bin/), or in bin/ of the repository
 * when berthd runs from dist/src/daemon. BERTH_REGISTRY_BUNDLE overrides both.
 */
export function findRegistryBundle(entry = process.argv[1] ?? '', env = process.env): string | undefined {
  const here = dirname(resolve(entry))
  const candidates = [env.BERTH_REGISTRY_BUNDLE, join(here, 'berth-registry'), join(here, '../../../bin/berth-registry')]
  return candidates.find((c): c is string => c !== undefined && c !== '' && existsSync(c))
}

/** The inputs of the berth/registry image on this host: this node binary, its libraries, the bundle. */
export async function registryImageInputs(): Promise<BootstrapRegistryOptions> {
  const serverScript = findRegistryBundle()
  if (!serverScript) {
    throw new EngineError('Unavailable', 'REGISTRY_BUNDLE_MISSING', 'Cannot bootstrap "registry": bin/berth-registry is missing (run `npm run build`)')
  }
  const nodePath = process.execPath
  const ldd = await run(['ldd', nodePath]).catch((err: unknown) => {
    throw new EngineError('Unavailable', 'LDD_FAILED', `Cannot bootstrap "registry": ldd ${nodePath}: ${(err as Error).message}`)
  })
  return { nodePath, libraries: parseLdd(ldd.stdout.toString()), serverScript, nodeVersion: process.version }
}
