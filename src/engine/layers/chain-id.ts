import { sha256, type Digest } from '../../common/index.js'

/** OCI chain id: chain(L0) = diffID(L0), chain(Ln) = sha256(chain(Ln-1) + " " + diffID(Ln)). */
export function chainIdOf(parentChainId: string | undefined, diffId: string): Digest {
  return (parentChainId === undefined ? diffId : sha256(`${parentChainId} ${diffId}`)) as Digest
}

/** Chain ids of every layer of an image, bottom first. */
export function chainIds(diffIds: readonly string[]): Digest[] {
  const out: Digest[] = []
  for (const d of diffIds) out.push(chainIdOf(out[out.length - 1], d))
  return out
}
