import tarStream from 'tar-stream'
import type { Header } from 'tar-stream'

export interface TarEntry {
  header: Partial<Header> & Pick<Header, 'name'>
  data?: Uint8Array | string
}

/** Builds an uncompressed tar in memory (small archives: bootstrap images, tests). */
export function packTar(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tarStream.pack()
  const chunks: Buffer[] = []
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on('data', (c: unknown) => chunks.push(c as Buffer))
    pack.on('end', () => resolve(Buffer.concat(chunks)))
    pack.on('error', reject)
  })
  for (const e of entries) {
    if (e.data !== undefined) pack.entry(e.header, typeof e.data === 'string' ? e.data : Buffer.from(e.data))
    else pack.entry(e.header)
  }
  pack.finalize()
  return done
}
