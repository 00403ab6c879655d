/**
 * SpawnHelper: a long-lived bash that starts short commands for berthd. Node forks the whole daemon
 * for every child (libuv's fork copies the page tables of a ~100 MB process: ~5 ms during which the
 * event loop is blocked); bash forks a few MB. The daemon's mount(8), ip(8), crun... go through it.
 *
 * Protocol (one line per request on the helper's stdin, one line per event on its stdout, each a
 * single write below PIPE_BUF so concurrent jobs never interleave):
 *   request  `<id> <0|1 input file> <cwd, $'' quoted> <argv words, $'' quoted>`
 *   replies  `<id> pid <pid>`, then `<id> exit <status>`
 * The job's stdin is <dir>/<id>.in (or /dev/null), its stdout and stderr <dir>/<id>.out and .err.
 * bash reports a process killed by signal N as status 128+N, like an exit with that status: only a
 * kill berthd made itself (timeoutMs) is reported as a signal.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { RuntimeError } from '../common/index.js'
import type { RunOptions, RunResult } from './process.js'
import { holdWhileBusy, readStatusLines } from './helper-protocol.js'
import { PrivateDir } from './private-dir.js'

const SCRIPT = `d=$1
while IFS=' ' read -r id input cwd rest; do
  (
    eval "cwd=$cwd; set -- $rest"
    in=/dev/null
    [ "$input" = 1 ] && in="$d/$id.in"
    if [ -n "$cwd" ] && ! cd -- "$cwd" 2>"$d/$id.err"; then echo "$id exit 127"; exit; fi
    "$@" <"$in" >"$d/$id.out" 2>>"$d/$id.err" &
    echo "$id pid $!"
    wait $!
    echo "$id exit $?"
  ) &
done
`

/** bash ANSI-C quoting: any string (without NUL) as one word. Pure. */
export function bashQuote(s: string): string {
  let out = "$'"
  for (const ch of s) {
    const c = ch.codePointAt(0) as number
    if (ch === '\\' || ch === "'") out += `\\${ch}`
    // Spaces too: request fields are separated by single spaces.
    else if (c <= 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`
    else out += ch
  }
  return `${out}'`
}

/** The request line for one job. Pure. */
export function helperRequest(id: number, argv: readonly string[], opts: { input: boolean; cwd?: string }): string {
  return `${id} ${opts.input ? 1 : 0} ${bashQuote(opts.cwd ?? '')} ${argv.map(bashQuote).join(' ')}\n`
}

interface Job {
  resolve(status: number): void
  pid?: number
}

/** The helper could not be started (no bash): the job never ran, and run() spawns it itself. */
export class SpawnHelperUnavailable extends Error {}

/** Status of the jobs of a helper that could not be started. */
const NOT_STARTED = -1

export class SpawnHelper {
  private child: ChildProcess | undefined
  private buffer = ''
  private nextId = 1
  private readonly jobs = new Map<number, Job>()
  private readonly privateDir: PrivateDir
  /** True once the helper could not be started: callers spawn directly. */
  failed = false

  /**
   * `dir`: where the jobs' stdin/stdout/stderr files live (a tmpfs is best: runtime's scratchDirFor); made
   * anew on first use. `env`: added to berthd's environment for the helper and so for every job.
   */
  constructor(
    private readonly dir: string,
    private readonly bash = 'bash',
    private readonly env: Readonly<Record<string, string>> = {},
  ) {
    this.privateDir = new PrivateDir(dir)
  }

  /** Runs argv like run() (no env or signal option: those need a spawn of their own). */
  async run(argv: readonly string[], opts: Pick<RunOptions, 'input' | 'cwd' | 'timeoutMs' | 'check'> = {}): Promise<RunResult> {
    const id = this.nextId++
    const base = join(this.dir, String(id))
    const done = new Promise<number>((resolve) => this.jobs.set(id, { resolve }))
    let killedByUs = false
    let timer: NodeJS.Timeout | undefined
    try {
      await this.privateDir.ready()
      if (opts.input !== undefined) await writeFile(`${base}.in`, opts.input)
      this.hold()
      this.helper().stdin?.write(helperRequest(id, argv, { input: opts.input !== undefined, cwd: opts.cwd }))
      if (opts.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          const pid = this.jobs.get(id)?.pid
          if (pid === undefined) return
          killedByUs = true
          try {
            process.kill(pid, 'SIGKILL')
          } catch {
            // Gone already.
          }
        }, opts.timeoutMs)
      }
      const status = await done
      if (status === NOT_STARTED) throw new SpawnHelperUnavailable(`cannot start ${this.bash}`)
      const [stdout, stderr] = await Promise.all([readFile(`${base}.out`).catch(() => Buffer.alloc(0)), readFile(`${base}.err`).catch(() => Buffer.alloc(0))])
      // bash: 127 = command not found, 126 = not executable; node's spawn fails with an error for both.
      if ((status === 127 || status === 126) && /command not found|No such file|Permission denied|cannot execute/.test(stderr.toString())) {
        throw new RuntimeError(argv, null, stderr.toString().trim(), `spawn ${argv[0] ?? ''} ${status === 127 ? 'ENOENT' : 'EACCES'}`)
      }
      const result: RunResult = killedByUs
        ? { exitCode: null, signal: 'SIGKILL', stdout, stderr }
        : { exitCode: status, signal: null, stdout, stderr }
      if ((opts.check ?? true) && result.exitCode !== 0) {
        throw new RuntimeError(argv, result.exitCode, stderr.subarray(-2048).toString() || stdout.subarray(-2048).toString())
      }
      return result
    } finally {
      clearTimeout(timer)
      this.jobs.delete(id)
      this.hold()
      void Promise.all(['in', 'out', 'err'].map((ext) => rm(`${base}.${ext}`, { force: true }))).catch(() => undefined)
    }
  }

  /** Ends the helper (jobs still running go on; their results are lost). */
  close(): void {
    this.child?.stdin?.end()
    this.child = undefined
  }

  private helper(): ChildProcess {
    if (this.child) return this.child
    const child = spawn(this.bash, ['-c', SCRIPT, 'berth-spawn-helper', this.dir], { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, ...this.env } })
    child.stdout?.setEncoding('utf8')
    child.stdout?.on('data', (chunk: string) => this.onData(chunk))
    child.stdin?.on('error', () => undefined)
    const lost = (): void => {
      if (this.child !== child) return
      this.child = undefined
      // Jobs of a helper that died are reported as failed (status 255): their output is unknown.
      // A helper that never started ran none of them.
      const started = child.pid !== undefined
      if (!started) this.failed = true
      for (const job of this.jobs.values()) job.resolve(started ? 255 : NOT_STARTED)
    }
    child.on('error', lost)
    child.on('exit', lost)
    const stdin = child.stdin as { unref?: () => void } | null
    stdin?.unref?.()
    this.child = child
    this.hold()
    return child
  }

  /** The helper keeps node's event loop alive only while it runs jobs. */
  private hold(): void {
    holdWhileBusy(this.child, this.jobs.size > 0)
  }

  private onData(chunk: string): void {
    this.buffer = readStatusLines(this.buffer + chunk, (id, kind, value) => {
      const job = this.jobs.get(id)
      if (!job) return
      if (kind === 'pid') job.pid = Number(value)
      else if (kind === 'exit') job.resolve(Number(value))
    })
  }
}
