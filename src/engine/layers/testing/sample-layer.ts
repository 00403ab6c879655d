import type { TarEntry } from '../pack-tar.js'

/**
 * Test fixture: a layer root with a directory of its own owner and mode, a setuid file owned by 1000:1001,
 * a symlink and a hard link to it, every entry with the given mtime.
 */
export function sampleTree(mtime: Date): TarEntry[] {
  return [
    { header: { name: './', type: 'directory', mode: 0o755, mtime } },
    { header: { name: 'bin/', type: 'directory', mode: 0o711, uid: 3, gid: 4, mtime } },
    { header: { name: 'bin/tool', mode: 0o4755, uid: 1000, gid: 1001, mtime }, data: 'binary' },
    { header: { name: 'bin/alias', type: 'symlink', linkname: 'tool', mtime } },
    { header: { name: 'bin/hard', type: 'link', linkname: 'bin/tool', mtime } },
  ]
}
