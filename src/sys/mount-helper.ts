/**
 * MountHelper: a perl process that calls mount(2) and umount2(2) for berthd, which Node cannot.
 *
 * Every container start mounts its rootfs and every exit unmounts it. Through mount(8) each of those
 * is a process (busybox, started by the SpawnHelper's bash: a fork, an exec and two output files):
 * ~4 ms of a container start and ~4-9 ms of its exit, where the syscall itself takes ~1 ms. perl (from
 * perl-base, which Debian marks Essential) has a syscall() builtin, so one perl started on demand
 * serves a burst of mounts over a pipe and exits once it has been idle for `idleMs`.
 *
 * Protocol: one request line per job on perl's stdin, the fields hex-encoded (any bytes, no quoting):
 *   `<id> mount <source> <fstype> <flags> <data> <target> <cwd>`   (cwd empty: none)
 *   `<id> umount <flags> <target>`
 * and one reply line per job on its stdout: `<id> <errno> <strerror>` (errno 0: done).
 *
 * Where there is no perl or the architecture's syscall numbers are not known here, the helper reports
 * itself unavailable and callers use mount(8) as before.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { constants } from 'node:os'
import { holdWhileBusy } from './helper-protocol.js'

/** mount(2) and umount2(2) numbers of the architectures berth runs on (asm/unistd_64.h, asm-generic/unistd.h). */
const SYSCALLS: Readonly<Record<string, { mount: number; umount2: number }>> = {
  x64: { mount: 165, umount2: 166 },
  arm64: { mount: 40, umount2: 39 },
}

/** MS_RDONLY for mount(2); MNT_DETACH for umount2(2) (a lazy unmount, `umount -l`). */
export const MS_RDONLY = 1
export const MNT_DETACH = 2

// perl's syscall() passes a number as a long and a string as a pointer to its bytes (strings it may
// write through, hence the copies in variables). chdir is for overlay lowerdirs given relative to cwd.
const SCRIPT = `$0 = 'berth-mount-helper';
$| = 1;
my ($sys_mount, $sys_umount2) = @ARGV;
while (defined(my $line = <STDIN>)) {
  chomp $line;
  my ($id, $op, @hex) = split / /, $line, -1;
  my @f = map { pack('H*', $_) } @hex;
  my $r = -1;
  $! = 22;
  if ($op eq 'mount' && @f == 6) {
    my ($source, $fstype, $flags, $data, $target, $cwd) = @f;
    my $fl = 0 + $flags;
    if ($cwd eq '' || chdir($cwd)) {
      $r = syscall($sys_mount, $source, $target, $fstype, $fl, $data);
      my $errno = $! + 0;
      chdir('/') if $cwd ne '';
      $! = $errno;
    }
  } elsif ($op eq 'umount' && @f == 2) {
    my ($flags, $target) = @f;
    my $fl = 0 + $flags;
    $r = syscall($sys_umount2, $target, $fl);
  }
  if ($r == 0) { print "$id 0\\n" } else { my $e = $! + 0; print "$id $e $!\\n" }
}
`

/** The helper could not run the job (no perl, unknown architecture): the job was never sent. */
export class MountHelperUnavailable extends Error {}

/** A failed mount(2)/umount2(2): `code` is the errno's name (EINVAL...), `message` its strerror text. */
export class MountSyscallError extends Error {
  constructor(
    readonly errno: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'MountSyscallError'
  }
}

export interface MountRequest {
  source: string
  fstype: string
  flags: number
  data: string
  target: string
  /** The directory mount(2) runs in: relative paths in `data` resolve from it. */
  cwd?: string
}

interface Job {
  resolve(): void
  reject(err: Error): void
}

const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([name, n]) => [n, name]))

/** The request line for one job. Pure. */
export function mountHelperRequest(id: number, op: 'mount' | 'umount', fields: readonly string[]): string {
  return `${id} ${op} ${fields.map((f) => Buffer.from(f).toString('hex')).join(' ')}\n`
}

export class MountHelper {
  private child: ChildProcess | undefined
  private buffer = ''
  private nextId = 1
  private readonly jobs = new Map<number, Job>()
  private idleTimer: NodeJS.Timeout | undefined
  private readonly syscalls: { mount: number; umount2: number } | undefined
  /** True once perl could not be started (or there are no syscall numbers for this machine). */
  failed: boolean

  constructor(
    private readonly opts: { perl?: string; idleMs?: number; arch?: string; onUnavailable?: (reason: string) => void } = {},
  ) {
    this.syscalls = SYSCALLS[opts.arch ?? process.arch]
    this.failed = this.syscalls === undefined
  }

  /** mount(2). Rejects with MountSyscallError, or MountHelperUnavailable when it never ran. */
  mount(req: MountRequest): Promise<void> {
    return this.send('mount', [req.source, req.fstype, String(req.flags), req.data, req.target, req.cwd ?? ''])
  }

  /** umount2(2). Rejects with MountSyscallError (EINVAL: not a mount point), or MountHelperUnavailable. */
  umount(target: string, flags = 0): Promise<void> {
    return this.send('umount', [String(flags), target])
  }

  /** Ends perl (it exits once it has read the end of its input). */
  close(): void {
    clearTimeout(this.idleTimer)
    this.child?.stdin?.end()
    this.child = undefined
  }

  private send(op: 'mount' | 'umount', fields: readonly string[]): Promise<void> {
    const child = this.failed ? undefined : this.helper()
    if (!child) return Promise.reject(new MountHelperUnavailable('no mount helper'))
    clearTimeout(this.idleTimer)
    const id = this.nextId++
    const done = new Promise<void>((resolve, reject) => this.jobs.set(id, { resolve, reject }))
    child.stdin?.write(mountHelperRequest(id, op, fields))
    this.hold()
    return done
  }

  private helper(): ChildProcess | undefined {
    if (this.child) return this.child
    const { mount, umount2 } = this.syscalls as { mount: number; umount2: number }
    const perl = this.opts.perl ?? 'perl'
    const child = spawn(perl, ['-e', SCRIPT, String(mount), String(umount2)], { stdio: ['pipe', 'pipe', 'ignore'] })
    // A line a helper that died left unfinished is not the start of the new one's first reply.
    this.buffer = ''
    child.stdout?.setEncoding('utf8')
    child.stdout?.on('data', (chunk: string) => this.onData(chunk))
    child.stdin?.on('error', () => undefined)
    const lost = (err?: Error): void => {
      if (this.child === child) this.child = undefined
      // A helper ended for idleness, whose successor already has the jobs.
      else if (this.child !== undefined) return
      clearTimeout(this.idleTimer)
      // perl never started: nothing was run, callers go on without the helper.
      const started = child.pid !== undefined
      if (!started && !this.failed) {
        this.failed = true
        this.opts.onUnavailable?.(`cannot start ${perl}: ${err?.message ?? 'unknown error'}`)
      }
      // A job sent to a helper that died may or may not have been done: it is not retried.
      for (const job of this.jobs.values()) {
        job.reject(started ? new Error(`the mount helper (${perl}) exited before it answered`) : new MountHelperUnavailable(`cannot start ${perl}`))
      }
      this.jobs.clear()
    }
    child.on('error', lost)
    child.on('exit', () => lost())
    ;(child.stdin as { unref?: () => void } | null)?.unref?.()
    this.child = child
    return child
  }

  /** perl keeps node's event loop alive only while it has jobs; idle for idleMs, it is ended. */
  private hold(): void {
    const busy = this.jobs.size > 0
    const child = this.child
    if (!child) return
    holdWhileBusy(child, busy)
    if (!busy) {
      clearTimeout(this.idleTimer)
      this.idleTimer = setTimeout(() => {
        if (this.jobs.size === 0 && this.child === child) this.close()
      }, this.opts.idleMs ?? 5000)
      this.idleTimer.unref()
    }
  }

  private onData(chunk: string): void {
    this.buffer += chunk
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl)
      this.buffer = this.buffer.slice(nl + 1)
      const [idText, errnoText, ...words] = line.split(' ')
      const id = Number(idText)
      const job = this.jobs.get(id)
      if (!job) continue
      this.jobs.delete(id)
      const errno = Number(errnoText)
      if (errno === 0) job.resolve()
      else job.reject(new MountSyscallError(errno, errnoNames.get(errno) ?? `errno ${errno}`, words.join(' ') || `errno ${errno}`))
    }
    this.hold()
  }
}
