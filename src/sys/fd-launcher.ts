/**
 * FdLauncher: a long-lived `tini -s -- bash` that starts short-lived children whose stdout, stderr
 * and fd 3 are named pipes (FIFOs) or files, and reports their exit. It exists for `crun exec`, run
 * once per exec: spawning from Node forks the whole daemon (libuv's fork copies the page tables of a
 * ~100 MB process, the event loop blocked meanwhile), and a subreaper (tini) had to be spawned with
 * every child. Here bash forks a few MB, and the one tini is the subreaper of every job: a job's own
 * child that it leaves behind (crun exits without reaping a process it could not start) is reparented
 * to tini, which reaps it.
 *
 * It also starts conmon for container starts (see ConmonRuntime): there the fork of berthd blocked its
 * event loop for ~4 ms in the middle of a start. conmon's long-lived monitor, which it double-forks, is
 * then reparented to this tini and reaped by it; when berthd and so the launcher end, to init as before.
 *
 * Protocol (requests on the helper's stdin, one line per event on its stdout; each a single write,
 * the replies below PIPE_BUF so concurrent jobs never interleave):
 *   request  `<id> <length>\n` and then <length> bytes of words, each $'' quoted with every byte
 *            outside printable ASCII escaped (so bytes are characters in any locale):
 *            `<stdout> <stderr> <fd3> <fd4> <cwd> <count of env words> <NAME=value>... <argv>...`
 *            where <fd4> is `t<text>` or `p<path>`, and <cwd> is empty for the helper's own
 *   replies  `<id> pid <pid>` (fd 4 from a path only), then `<id> exit <status>`
 * bash reads a pipe one byte per read(2) for a line, but the counted words with `read -N` in a few
 * reads: a request carries the process spec (about 1 kB), so this saves a thousand system calls.
 * Each job is a subshell (which reports the exit). With fd 4 text, argv runs in the foreground: `& wait
 * $!` there forks as often and costs ~0.4 ms more CPU per job in bash's job bookkeeping. (In the
 * foreground argv starts with SIGINT and SIGQUIT not ignored; crun gives the container's process
 * default dispositions either way, and the helper's own process group keeps a terminal's signals away.)
 * Its fd 4 is then a pipe holding the text (a bash here-string: a pipe, not a file, while it fits in
 * the pipe's buffer). With fd 4 from a path (a FIFO berthd writes to later, as conmon's start pipe),
 * argv runs in the background and its pid is reported, so that the caller can kill it.
 * The job's stdin is /dev/null. bash reports a job killed by signal N as 128+N, as crun reports a
 * process a signal killed. A path that cannot be opened, or a cwd that cannot be entered, fails the job
 * with status 1 before argv runs.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { holdWhileBusy, readStatusLines } from './helper-protocol.js'

const SCRIPT = `while IFS=' ' read -r id n && IFS= read -r -N "$n" rest; do
  (
    eval "set -- $rest"
    o=$1 e=$2 p=$3 t=$4 c=$5 n=$6
    shift 6
    while [ "$n" -gt 0 ]; do export "$1"; shift; n=$((n-1)); done
    if [ -n "$c" ] && ! cd -- "$c" 2>/dev/null; then echo "$id exit 1"; exit; fi
    case $t in
      p*)
        "$@" </dev/null >"$o" 2>"$e" 3>"$p" 4<"\${t#p}" &
        echo "$id pid $!"
        wait $! ;;
      *) "$@" </dev/null >"$o" 2>"$e" 3>"$p" 4<<<"\${t#t}" ;;
    esac
    echo "$id exit $?"
  ) &
done
`

export interface LaunchRequest {
  argv: readonly string[]
  /** Paths the job's stdout, stderr and fd 3 are opened at (write-only): FIFOs, files, /dev/null. */
  stdout: string
  stderr: string
  fd3: string
  /** Text (a newline added) readable at fd 4 from a pipe (a here-string). */
  fd4Text?: string
  /** Instead of fd4Text: a path opened read-only as fd 4 (a FIFO). The job then reports its pid. */
  fd4Path?: string
  /** The job's working directory (default: the helper's). */
  cwd?: string
  /** Added to the helper's environment for this job. */
  env?: Record<string, string>
  /** With fd4Path: called with argv's pid once it was forked (before its redirections are opened). */
  onPid?: (pid: number) => void
}

/** The request for one job (ASCII only). Pure. */
export function launchRequest(id: number, req: LaunchRequest): string {
  const env = Object.entries(req.env ?? {}).map(([k, v]) => `${k}=${v}`)
  const fd4 = req.fd4Path !== undefined ? `p${req.fd4Path}` : `t${req.fd4Text ?? ''}`
  const words = [req.stdout, req.stderr, req.fd3, fd4, req.cwd ?? '', String(env.length), ...env, ...req.argv]
  const body = words.map(asciiQuote).join(' ')
  return `${id} ${body.length}\n${body}`
}

/** `s` as one bash $'' word in printable ASCII: its UTF-8 bytes, escaped as \xNN outside '!'..'~'. Pure. */
export function asciiQuote(s: string): string {
  let out = "$'"
  for (const b of Buffer.from(s, 'utf8')) {
    if (b === 0x5c || b === 0x27) out += `\\${String.fromCharCode(b)}`
    else if (b <= 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, '0')}`
    else out += String.fromCharCode(b)
  }
  return `${out}'`
}

/** The launcher could not be started (no tini or bash): the job never ran. */
export class FdLauncherUnavailable extends Error {}

export class FdLauncher {
  private child: ChildProcess | undefined
  private buffer = ''
  private nextId = 1
  private readonly jobs = new Map<number, (status: number) => void>()
  private readonly pidListeners = new Map<number, (pid: number) => void>()
  /** True once the helper could not be started: callers spawn by themselves. */
  failed = false

  /** `reaperPath`: tini (run with -s); `bash`: the shell that runs the jobs. */
  constructor(
    private readonly reaperPath: string,
    private readonly bash = 'bash',
  ) {}

  /**
   * Starts argv; resolves with its exit status (128 + N when signal N killed it). Rejects with
   * FdLauncherUnavailable when the helper cannot be started, and with an Error when it died.
   */
  launch(req: LaunchRequest): Promise<number> {
    if (this.failed) return Promise.reject(new FdLauncherUnavailable(`cannot start ${this.reaperPath}`))
    const id = this.nextId++
    const status = new Promise<number>((resolve, reject) => {
      if (req.onPid) this.pidListeners.set(id, req.onPid)
      this.jobs.set(id, (s) => {
        this.jobs.delete(id)
        this.pidListeners.delete(id)
        this.hold()
        if (s === NOT_STARTED) reject(new FdLauncherUnavailable(`cannot start ${this.reaperPath}`))
        else if (s === LOST) reject(new Error('the exec launcher exited before the job did'))
        else resolve(s)
      })
    })
    const child = this.helper()
    this.hold()
    child.stdin?.write(launchRequest(id, req))
    return status
  }

  /** Ends the helper (jobs still running go on; their exits are not reported). */
  close(): void {
    this.child?.stdin?.end()
    this.child = undefined
  }

  private helper(): ChildProcess {
    if (this.child) return this.child
    const child = spawn(this.reaperPath, ['-s', '--', this.bash, '-c', SCRIPT, 'berth-exec-launcher'], {
      stdio: ['pipe', 'pipe', 'ignore'],
      // Its own process group: a signal to berthd's group does not reach running execs.
      detached: true,
    })
    child.stdout?.setEncoding('utf8')
    child.stdout?.on('data', (chunk: string) => this.onData(chunk))
    child.stdin?.on('error', () => undefined)
    const lost = (): void => {
      if (this.child === child) this.child = undefined
      const started = child.pid !== undefined
      if (!started) this.failed = true
      for (const done of [...this.jobs.values()]) done(started ? LOST : NOT_STARTED)
    }
    child.on('error', lost)
    child.on('exit', lost)
    ;(child.stdin as { unref?: () => void } | null)?.unref?.()
    this.child = child
    return child
  }

  /** The helper keeps node's event loop alive only while it runs jobs. */
  private hold(): void {
    holdWhileBusy(this.child, this.jobs.size > 0)
  }

  private onData(chunk: string): void {
    this.buffer = readStatusLines(this.buffer + chunk, (id, kind, value) => {
      if (kind === 'exit') this.jobs.get(id)?.(Number(value))
      else if (kind === 'pid') this.pidListeners.get(id)?.(Number(value))
    })
  }
}

/** Statuses of jobs whose helper never started, or died first. */
const NOT_STARTED = -1
const LOST = -2
