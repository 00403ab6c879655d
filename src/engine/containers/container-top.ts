/**
 * docker top: run the host's `ps` with the client's arguments and keep the rows whose PID is in
 * the container's cgroup, as dockerd does (daemon/top_unix.go).
 */
import { readdir, readFile } from 'node:fs/promises'
import { EngineError } from '../../common/index.js'

export interface TopResult {
  titles: string[]
  processes: string[][]
}

/** Runs `ps` on the host (injected: engine never spawns processes itself). */
export type PsRunner = (args: string[]) => Promise<{ exitCode: number | null; stdout: string; stderr: string }>

/** As dockerd: a `name=PID...` output rename is allowed only for the pid column. */
export function validatePsArgs(psArgs: string): void {
  for (const m of psArgs.matchAll(/\s+([^\s]*)=\s*(PID[^\s]*)/g)) {
    if (m[1] !== 'pid') throw new EngineError('InvalidArgument', 'INVALID_PS_ARGS', `specifying "${m[1]}=${m[2]}" is not allowed`)
  }
}

/** Pure: moby's parsePSOutput. Rows whose PID is "-" (threads) follow the row above them. */
export function parsePsOutput(output: string, pids: ReadonlySet<number>): TopResult {
  const lines = output.split('\n')
  const titles = (lines[0] ?? '').trim().split(/\s+/).filter((t) => t !== '')
  const pidIndex = titles.indexOf('PID')
  if (pidIndex < 0) throw new EngineError('Internal', 'PS_NO_PID', "Couldn't find PID field in ps output")
  const processes: string[][] = []
  let previousKept = false
  const keep = (fields: string[]): void => {
    processes.push([...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')])
  }
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue
    const fields = line.trim().split(/\s+/)
    const field = fields[pidIndex] ?? ''
    if (field === '-') {
      if (previousKept) keep(fields)
      continue
    }
    const pid = Number(field)
    if (!Number.isInteger(pid)) throw new EngineError('Internal', 'PS_BAD_PID', `Unexpected pid '${field}': invalid syntax`)
    previousKept = pids.has(pid)
    if (previousKept) keep(fields)
  }
  return { titles, processes }
}

/** Pure: true when a /proc/<pid>/cgroup text places the process in `cgroupPath` (any hierarchy). */
export function inCgroup(procCgroup: string, cgroupPath: string): boolean {
  return procCgroup.split('\n').some((line) => {
    const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1)
    return path === cgroupPath || path.startsWith(cgroupPath + '/')
  })
}

/** Host pids whose cgroup is `cgroupPath` or below it. */
export async function cgroupPids(cgroupPath: string, procRoot = '/proc'): Promise<Set<number>> {
  const pids = new Set<number>()
  for (const name of await readdir(procRoot)) {
    if (!/^\d+$/.test(name)) continue
    const text = await readFile(`${procRoot}/${name}/cgroup`, 'utf8').catch(() => '')
    if (text !== '' && inCgroup(text, cgroupPath)) pids.add(Number(name))
  }
  return pids
}

export async function containerTop(runPs: PsRunner, cgroupPath: string, psArgs: string | undefined): Promise<TopResult> {
  const argsText = psArgs || '-ef'
  validatePsArgs(argsText)
  const pids = await cgroupPids(cgroupPath)
  const args = argsText.split(' ')
  let res = await runPs([...args, '-q', [...pids].sort((a, b) => a - b).join(',') || '0'])
  // Some options (such as f) cannot be combined with -q: run again without it.
  if (res.exitCode !== 0) res = await runPs(args)
  if (res.exitCode !== 0) {
    const first = res.stderr.split('\n')[0] || `exit status ${res.exitCode}`
    throw new EngineError('Internal', 'PS_FAILED', `ps: ${first}`)
  }
  return parsePsOutput(res.stdout, pids)
}
