/**
 * The 512-byte ustar headers and PAX records of the layer converter (overlay-diff.ts): decoded as
 * tar-stream's extract decodes them and encoded as its pack encodes them, field for field, so the
 * converter's output stayed byte-identical when it stopped going through tar-stream. One difference:
 * names and PAX values are kept as raw bytes (latin1 strings, one char per byte; PAX values as Buffers)
 * where tar-stream decodes UTF-8, so names that are not UTF-8 and binary xattr values such as
 * security.capability survive. For UTF-8 the bytes are the same.
 */

export const BLOCK = 512

/** Entry types, named as tar-stream names them. */
export type EntryType =
  | 'file' | 'link' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo' | 'contiguous-file'
  | 'pax-header' | 'pax-global-header' | 'gnu-long-link-path' | 'gnu-long-path'

/** A decoded header block (before PAX and GNU long names are applied). Strings are latin1. */
export interface HeaderBlock {
  name: string
  mode: number
  uid: number
  gid: number
  size: number
  /** Seconds. */
  mtime: number
  /** undefined: a type this codec does not know (tar-stream's null). */
  type: EntryType | undefined
  linkname: string | undefined
  devmajor: number
  devminor: number
}

/** What encodeEntry writes. `pax`: extra records, written in order after path and linkpath. */
export interface OutHeader {
  name: string
  type: EntryType | undefined
  mode: number
  uid: number
  gid: number
  size: number
  /** Seconds. */
  mtime: number
  linkname?: string | undefined
  devmajor?: number | undefined
  devminor?: number | undefined
  pax?: ReadonlyMap<string, Buffer> | undefined
}

const USTAR_MAGIC = Buffer.from('ustar\x0000', 'latin1')
const GNU_MAGIC = Buffer.from('ustar  \x00', 'latin1')
const ZEROS = Buffer.alloc(BLOCK)

const TYPES: Record<number, EntryType> = {
  0: 'file', 1: 'link', 2: 'symlink', 3: 'character-device', 4: 'block-device', 5: 'directory', 6: 'fifo',
  7: 'contiguous-file', 72: 'pax-header', 55: 'pax-global-header', 27: 'gnu-long-link-path', 28: 'gnu-long-path', 30: 'gnu-long-path',
}
const FLAGS: Partial<Record<EntryType, number>> = {
  file: 0, link: 1, symlink: 2, 'character-device': 3, 'block-device': 4, directory: 5, fifo: 6, 'contiguous-file': 7, 'pax-header': 72,
}

/** Zero bytes that pad `size` bytes of entry data to a whole block. */
export function padding(size: number): Buffer {
  const rest = size & (BLOCK - 1)
  return rest === 0 ? ZEROS.subarray(0, 0) : ZEROS.subarray(0, BLOCK - rest)
}

function cksum(block: Uint8Array): number {
  let sum = 8 * 32
  for (let i = 0; i < 148; i++) sum += block[i] as number
  for (let i = 156; i < BLOCK; i++) sum += block[i] as number
  return sum
}

function indexOf(block: Uint8Array, byte: number, from: number, end: number): number {
  for (let i = from; i < end; i++) if (block[i] === byte) return i
  return end
}

function str(block: Buffer, off: number, len: number): string {
  return block.toString('latin1', off, indexOf(block, 0, off, off + len))
}

function parse256(field: Buffer): number | null {
  let positive: boolean
  if (field[0] === 0x80) positive = true
  else if (field[0] === 0xff) positive = false
  else return null
  let sum = 0
  for (let i = field.length - 1, scale = 1; i > 0; i--, scale *= 256) {
    const byte = field[i] as number
    sum += (positive ? byte : 0xff - byte) * scale
  }
  return positive ? sum : -1 * sum
}

function octal(block: Buffer, off: number, len: number): number {
  const field = block.subarray(off, off + len)
  if ((field[0] as number) & 0x80) return parse256(field) as number
  let i = 0
  while (i < field.length && field[i] === 32) i++
  const end = indexOf(field, 32, i, field.length)
  while (i < end && field[i] === 0) i++
  if (end === i) return 0
  return parseInt(field.toString('latin1', i, end), 8)
}

/**
 * Decodes a header block. null for an all-zero block (the end-of-archive marker, skipped);
 * throws for a bad checksum or a format that is neither ustar nor GNU.
 */
export function decodeHeader(block: Buffer): HeaderBlock | null {
  const typeflag = block[156] === 0 ? 0 : (block[156] as number) - 48
  let name = str(block, 0, 100)
  const sum = cksum(block)
  if (sum === 8 * 32) return null
  if (sum !== octal(block, 148, 8)) throw new Error('Invalid tar header. Maybe the tar is corrupted or it needs to be gunzipped?')
  if (block.compare(USTAR_MAGIC, 0, 6, 257, 263) === 0) {
    if (block[345]) name = `${str(block, 345, 155)}/${name}`
  } else if (block.compare(GNU_MAGIC, 0, 8, 257, 265) !== 0) {
    throw new Error('Invalid tar header: unknown format.')
  }
  let type = TYPES[typeflag]
  if (typeflag === 0 && name.endsWith('/')) type = 'directory'
  return {
    name,
    mode: octal(block, 100, 8),
    uid: octal(block, 108, 8),
    gid: octal(block, 116, 8),
    size: octal(block, 124, 12),
    mtime: octal(block, 136, 12),
    type,
    linkname: block[157] === 0 ? undefined : str(block, 157, 100),
    devmajor: octal(block, 329, 8),
    devminor: octal(block, 337, 8),
  }
}

/** PAX records, in order; a key given twice keeps its first place and its last value. Keys latin1, values raw. */
export function decodePax(data: Buffer): Map<string, Buffer> {
  const records = new Map<string, Buffer>()
  let buf = data
  while (buf.length > 0) {
    const space = indexOf(buf, 32, 0, buf.length)
    const len = parseInt(buf.toString('latin1', 0, space), 10)
    if (!len) return records
    const record = buf.subarray(space + 1, len - 1)
    const eq = record.indexOf(0x3d)
    if (eq === -1) return records
    records.set(record.toString('latin1', 0, eq), record.subarray(eq + 1))
    buf = buf.subarray(len)
  }
  return records
}

/** A PAX record "<len> <key>=<value>\n", with tar-stream's way of counting the length's digits. */
function paxRecord(key: string, value: Buffer): Buffer {
  const len = key.length + value.length + 3
  let digits = Math.floor(Math.log(len) / Math.log(10)) + 1
  if (len + digits >= Math.pow(10, digits)) digits++
  return Buffer.concat([Buffer.from(`${len + digits} ${key}=`, 'latin1'), value, Buffer.from('\n')])
}

function encodeOctal(value: number, digits: number): string {
  const s = value.toString(8)
  if (s.length > digits) return `${'7'.repeat(digits)} `
  return `${'0'.repeat(digits - s.length)}${s} `
}

const isAscii = (s: string): boolean => !/[^\x00-\x7f]/.test(s)

/** One ustar block, or null when the name or link name does not fit (then PAX carries them). */
function encodeBlock(h: OutHeader): Buffer | null {
  let name = h.name
  let prefix = ''
  if (!isAscii(name)) return null
  while (name.length > 100) {
    const i = name.indexOf('/')
    if (i === -1) return null
    prefix += prefix ? `/${name.slice(0, i)}` : name.slice(0, i)
    name = name.slice(i + 1)
  }
  if (name.length > 100 || prefix.length > 155) return null
  if (h.linkname && h.linkname.length > 100) return null
  const block = Buffer.alloc(BLOCK)
  block.write(name, 0, 'latin1')
  block.write(encodeOctal(h.mode & 0o7777, 6), 100, 'latin1')
  block.write(encodeOctal(h.uid, 6), 108, 'latin1')
  block.write(encodeOctal(h.gid, 6), 116, 'latin1')
  if (h.size.toString(8).length > 11) {
    block[124] = 0x80
    for (let i = 11, n = h.size; i > 0; i--, n = Math.floor(n / 0x100)) block[124 + i] = n & 0xff
  } else {
    block.write(encodeOctal(h.size, 11), 124, 'latin1')
  }
  block.write(encodeOctal(h.mtime | 0, 11), 136, 'latin1')
  block[156] = 48 + (h.type ? (FLAGS[h.type] ?? 0) : 0)
  if (h.linkname) block.write(h.linkname, 157, 'latin1')
  USTAR_MAGIC.copy(block, 257)
  block.write(encodeOctal(h.devmajor || 0, 6), 329, 'latin1')
  block.write(encodeOctal(h.devminor || 0, 6), 337, 'latin1')
  if (prefix) block.write(prefix, 345, 'latin1')
  block.write(encodeOctal(cksum(block), 6), 148, 'latin1')
  return block
}

/**
 * The header of an entry as tar-stream's pack writes it: one block when there are no PAX records and
 * the names fit, else a "PaxHeader" entry with path, linkpath and the records, then the entry's block.
 */
export function encodeEntry(h: OutHeader): Buffer {
  if (!h.pax) {
    const block = encodeBlock(h)
    if (block) return block
  }
  const records: Buffer[] = []
  if (h.name) records.push(paxRecord('path', Buffer.from(h.name, 'latin1')))
  if (h.linkname) records.push(paxRecord('linkpath', Buffer.from(h.linkname, 'latin1')))
  for (const [k, v] of h.pax ?? []) records.push(paxRecord(k, v))
  const data = Buffer.concat(records)
  const base = { name: 'PaxHeader', mode: h.mode, uid: h.uid, gid: h.gid, mtime: h.mtime, linkname: h.linkname ? 'PaxHeader' : undefined, devmajor: h.devmajor, devminor: h.devminor }
  return Buffer.concat([
    encodeBlock({ ...base, type: 'pax-header', size: data.length }) as Buffer,
    data,
    padding(data.length),
    encodeBlock({ ...base, type: h.type, size: h.size }) as Buffer,
  ])
}
