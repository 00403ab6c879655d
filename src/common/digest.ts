import { createHash } from 'node:crypto'

export type Digest = `sha256:${string}`

export function sha256(data: string | Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

export function isDigest(value: string): value is Digest {
  return /^sha256:[0-9a-f]{64}$/.test(value)
}

/** The hex part of a digest ("sha256:abc" -> "abc"). */
export function digestHex(digest: string): string {
  return digest.startsWith('sha256:') ? digest.slice(7) : digest
}
