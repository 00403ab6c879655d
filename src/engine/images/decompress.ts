import { Readable, pipeline } from 'node:stream'
import { chunksOf, invalid } from '../../common/index.js'
import { zlib } from './lazy-zlib.js'

/** Magic numbers of the formats `docker import` sees. */
const magics: Array<[string, number[]]> = [
  ['gzip', [0x1f, 0x8b]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
]

export function detectCompression(head: Uint8Array): 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd' {
  for (const [name, bytes] of magics) {
    if (head.length >= bytes.length && bytes.every((b, i) => head[i] === b)) return name as 'gzip' | 'bzip2' | 'xz' | 'zstd'
  }
  return 'none'
}

/**
 * A plain tar stream from a plain or gzip-compressed one, sniffed from the first bytes.
 * InvalidArgument for an empty stream or another compression.
 */
export async function decompressStream(src: AsyncIterable<Uint8Array | string>): Promise<Readable> {
  // A Readable's own iterator joins (copies) whatever is buffered whenever this reader falls behind.
  const it = (src instanceof Readable ? chunksOf(src) : src)[Symbol.asyncIterator]()
  const head: Buffer[] = []
  let n = 0
  let ended = false
  while (n < 6) {
    const r = await it.next()
    if (r.done) {
      ended = true
      break
    }
    const b = typeof r.value === 'string' ? Buffer.from(r.value) : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength)
    head.push(b)
    n += b.length
  }
  const first = Buffer.concat(head)
  if (first.length === 0) throw invalid('EMPTY_ARCHIVE', 'Cannot import an empty archive')
  async function* all(): AsyncGenerator<Buffer> {
    yield first
    if (ended) return
    for (;;) {
      const r = await it.next()
      if (r.done) return
      yield typeof r.value === 'string' ? Buffer.from(r.value) : Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength)
    }
  }
  const raw = Readable.from(all(), { objectMode: false })
  const kind = detectCompression(first)
  if (kind === 'none') return raw
  if (kind !== 'gzip') throw invalid('UNSUPPORTED_COMPRESSION', `Cannot import a ${kind}-compressed archive: only plain and gzip tar are supported`)
  const gunzip = zlib().createGunzip()
  pipeline(raw, gunzip, () => {
    // pipeline destroys both streams with the error; the reader of gunzip sees it.
  })
  return gunzip
}
