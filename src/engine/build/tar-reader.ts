/**
 * TarReader: a synchronous, push-fed tar parser (ustar, GNU long names, PAX). Chunks go in as
 * they arrive; each entry's header is reported once, then its data as sub-arrays of the chunks
 * pushed (never copied). Meta entries (PAX 'x'/'g', GNU 'L'/'K') are applied to the next header
 * and never reported. A header with a bad checksum is an error, as is an archive cut short.
 */

export type TarEntryType = 'file' | 'link' | 'symlink' | 'directory' | 'other'

export interface TarHeader {
  name: string
  type: TarEntryType
  mode: number
  size: number
  /** Seconds since the epoch (PAX may give fractions). */
  mtime: number | undefined
  linkname: string
  /** The entry's PAX records (global ones included), when it has any. */
  pax?: ReadonlyMap<string, string>
}

export interface TarSink {
  entry(header: TarHeader): void
  /** Data of the entry last reported; the buffer may be kept (it is not reused). */
  data(chunk: Buffer): void
  /** The entry's data is complete. */
  end(): void
}

const BLOCK = 512

function str(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start)
  return buf.toString('utf8', start, end < 0 || end > start + len ? start + len : end)
}

function octal(buf: Buffer, start: number, len: number): number {
  if ((buf[start] as number) & 0x80) {
    // base-256 (GNU) for sizes of 8 GiB and more
    let n = 0
    for (let i = start + 1; i < start + len; i++) n = n * 256 + (buf[i] as number)
    return n
  }
  const text = buf.toString('latin1', start, start + len).replace(/\0.*$/s, '').trim()
  return text === '' ? 0 : parseInt(text, 8)
}

function checksumOk(block: Buffer): boolean {
  let sum = 8 * 32
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += block[i] as number
  return sum === octal(block, 148, 8)
}

function typeOf(flag: number): TarEntryType | 'pax' | 'pax-global' | 'gnu-name' | 'gnu-link' {
  switch (String.fromCharCode(flag)) {
    case '\0': case '0': case '7': return 'file'
    case '1': return 'link'
    case '2': return 'symlink'
    case '5': return 'directory'
    case 'x': return 'pax'
    case 'g': return 'pax-global'
    case 'L': return 'gnu-name'
    case 'K': return 'gnu-link'
    default: return 'other'
  }
}

function parsePax(buf: Buffer): Map<string, string> {
  const out = new Map<string, string>()
  let at = 0
  while (at < buf.length) {
    const space = buf.indexOf(0x20, at)
    if (space < 0) break
    const len = Number(buf.toString('latin1', at, space))
    if (!Number.isInteger(len) || len <= 0) break
    const record = buf.toString('utf8', space + 1, at + len - 1)
    const eq = record.indexOf('=')
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1))
    at += len
  }
  return out
}

export class TarReader {
  private state: 'header' | 'data' | 'meta' | 'skip' | 'end' = 'header'
  private held: Buffer[] = []
  private heldLength = 0
  private remaining = 0
  private padding = 0
  private metaKind: 'pax' | 'pax-global' | 'gnu-name' | 'gnu-link' = 'pax'
  private pax = new Map<string, string>()
  private globalPax = new Map<string, string>()

  constructor(private readonly sink: TarSink) {}

  push(chunk: Buffer): void {
    let buf = chunk
    while (buf.length > 0 && this.state !== 'end') {
      if (this.state === 'data') {
        const take = Math.min(this.remaining, buf.length)
        this.sink.data(take === buf.length ? buf : buf.subarray(0, take))
        buf = buf.subarray(take)
        this.remaining -= take
        if (this.remaining === 0) this.endEntry()
        continue
      }
      if (this.state === 'skip') {
        const take = Math.min(this.padding, buf.length)
        buf = buf.subarray(take)
        this.padding -= take
        if (this.padding === 0) this.state = 'header'
        continue
      }
      // header or meta: gather a whole block / the whole meta entry first
      const want = this.state === 'header' ? BLOCK : this.remaining
      const take = Math.min(want - this.heldLength, buf.length)
      this.held.push(buf.subarray(0, take))
      this.heldLength += take
      buf = buf.subarray(take)
      if (this.heldLength < want) continue
      const whole = this.held.length === 1 ? (this.held[0] as Buffer) : Buffer.concat(this.held)
      this.held = []
      this.heldLength = 0
      if (this.state === 'header') this.header(whole)
      else this.meta(whole)
    }
  }

  /** Throws when the archive ended inside an entry. */
  finish(): void {
    if (this.state === 'data' || this.state === 'meta' || (this.state === 'header' && this.heldLength > 0)) {
      throw new Error('unexpected end of data')
    }
  }

  private endEntry(): void {
    this.sink.end()
    this.skipPadding()
  }

  private skipPadding(): void {
    this.state = this.padding > 0 ? 'skip' : 'header'
  }

  private header(block: Buffer): void {
    if (block.every((b) => b === 0)) {
      this.state = 'end'
      return
    }
    if (!checksumOk(block)) throw new Error('invalid tar header')
    const kind = typeOf(block[156] as number)
    const size = octal(block, 124, 12)
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK
    if (kind === 'pax' || kind === 'pax-global' || kind === 'gnu-name' || kind === 'gnu-link') {
      this.metaKind = kind
      this.remaining = size
      this.state = 'meta'
      if (size === 0) this.meta(Buffer.alloc(0))
      return
    }
    const ustar = block.toString('latin1', 257, 263) === 'ustar\0'
    const prefix = ustar ? str(block, 345, 155) : ''
    let name = str(block, 0, 100)
    if (prefix) name = `${prefix}/${name}`
    let linkname = str(block, 157, 100)
    let mtime: number | undefined = octal(block, 136, 12)
    let dataSize = size
    const pax = this.globalPax.size === 0 ? this.pax : new Map([...this.globalPax, ...this.pax])
    if (this.pax.size > 0) this.pax = new Map()
    if (pax.has('path')) name = pax.get('path') as string
    if (pax.has('linkpath')) linkname = pax.get('linkpath') as string
    if (pax.has('mtime')) mtime = Number(pax.get('mtime'))
    if (pax.has('size')) {
      dataSize = Number(pax.get('size'))
      this.padding = (BLOCK - (dataSize % BLOCK)) % BLOCK
    }
    const type = kind === 'file' && name.endsWith('/') ? 'directory' : kind
    const hasData = type === 'file' || type === 'other'
    this.sink.entry({ name, type, mode: octal(block, 100, 8), size: hasData ? dataSize : 0, mtime, linkname, ...(pax.size > 0 ? { pax } : {}) })
    if (!hasData) {
      // links and directories carry no data even when a size is given
      if (dataSize > 0) this.padding += dataSize
      this.sink.end()
      this.skipPadding()
      return
    }
    this.remaining = dataSize
    if (dataSize === 0) this.endEntry()
    else this.state = 'data'
  }

  private meta(data: Buffer): void {
    if (this.metaKind === 'gnu-name' || this.metaKind === 'gnu-link') {
      const text = str(data, 0, data.length)
      this.pax.set(this.metaKind === 'gnu-name' ? 'path' : 'linkpath', text)
    } else {
      const records = parsePax(data)
      const target = this.metaKind === 'pax' ? this.pax : this.globalPax
      for (const [k, v] of records) target.set(k, v)
    }
    this.skipPadding()
  }
}
