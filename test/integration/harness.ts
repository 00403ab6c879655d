/**
 * Starts a real berthd (bin/berthd) on private data/exec roots and a private socket, with busybox
 * bootstrapped, and runs the real docker CLI and the berth CLI against it. stop() removes every
 * container, unmounts what is left under the roots, and deletes them, even after a failed test.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { request } from 'node:http'
import { mkdtempSync, rmSync, readFileSync, existsSync, openSync, closeSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { randomBytes, randomInt } from 'node:crypto'
import { createServer, type AddressInfo } from 'node:net'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

const repo = resolve(import.meta.dirname, '../../..')
export const berthBin = join(repo, 'bin/berth')
export const berthdBin = join(repo, 'bin/berthd')

export function isRoot(): boolean {
  return process.getuid?.() === 0
}

export class Daemon {
  readonly dataRoot: string
  readonly execRoot: string
  readonly socket: string
  readonly logFile: string
  /** Host objects of this daemon (nft table, bridges, veths) carry this prefix; the default bridge is `${netPrefix}0`. */
  readonly netPrefix: string
  readonly bridgeName: string
  /** Default bridge gateway/prefix, and the /16 user networks are cut from (/24 each). */
  readonly bip: string
  readonly addressPool: string
  private child: ChildProcess | undefined

  /** extraArgs (settable until start()) go to berthd after the harness's own flags. */
  constructor(readonly runtime: 'crun' | 'runc' = 'crun', public extraArgs: string[] = []) {
    this.dataRoot = mkdtempSync('/var/tmp/berth-it-')
    // Short exec root: conmon's attach socket path must stay under 108 bytes.
    this.execRoot = mkdtempSync('/run/bt-')
    this.socket = join(this.execRoot, 'berth.sock')
    this.logFile = join(this.dataRoot, 'berthd.log')
    // A private daemon.json, so a host's /etc/berth/daemon.json never changes what tests see.
    this.configFile = join(this.dataRoot, 'daemon.json')
    writeFileSync(this.configFile, '{}\n')
    const net = privateNetwork()
    this.netPrefix = net.prefix
    this.bridgeName = net.bridge
    this.bip = net.bip
    this.addressPool = net.pool
  }

  readonly configFile: string

  /** The environment berthd starts with (settable until start(); default: the test's own). */
  env: NodeJS.ProcessEnv = process.env

  get host(): string {
    return `unix://${this.socket}`
  }

  async start(): Promise<void> {
    const fd = openSync(this.logFile, 'a')
    this.child = spawn(berthdBin, [
      '-H', this.host, '--data-root', this.dataRoot, '--exec-root', this.execRoot, '--runtime', this.runtime, '--debug',
      '--config-file', this.configFile, '--net-prefix', this.netPrefix, '--bridge-name', this.bridgeName, '--bip', this.bip,
      '--default-address-pool', this.addressPool,
      // Tests reach registries on loopback only: `run nosuchimage` must not look up Docker Hub.
      '--loopback-registries-only', ...this.extraArgs,
    ], {
      stdio: ['ignore', fd, fd],
      env: this.env,
    })
    closeSync(fd)
    const deadline = Date.now() + 15_000
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`berthd exited ${this.child.exitCode}:\n${this.log()}`)
      if (existsSync(this.socket) && this.berth(['version']).code === 0) return
      await sleep(50)
    }
    throw new Error(`berthd did not answer within 15 s:\n${this.log()}`)
  }

  /** Starts the daemon and makes busybox:latest. */
  async startWithBusybox(): Promise<void> {
    await this.start()
    const r = this.berth(['image', 'bootstrap', 'busybox'])
    if (r.code !== 0) throw new Error(`bootstrap failed: ${r.stderr}\n${this.log()}`)
  }

  /** SIGKILL, as a crash would. Containers keep running under conmon. */
  crash(): void {
    this.child?.kill('SIGKILL')
    spawnSync('sleep', ['0.2'])
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-40).join('\n')
    } catch {
      return ''
    }
  }

  docker(args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): CliResult {
    return runCli('docker', args, { ...opts, env: { DOCKER_HOST: this.host, DOCKER_CLI_HINTS: 'false', ...opts.env } })
  }

  berth(args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): CliResult {
    return runCli(berthBin, ['-H', this.host, ...args], opts)
  }

  /** Runs a command against both CLIs, for tests that must pass with each. */
  cli(kind: 'docker' | 'berth', args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): CliResult {
    return kind === 'docker' ? this.docker(args, opts) : this.berth(args, opts)
  }

  /** One raw Engine API request on the daemon's socket (for status codes the CLIs hide). */
  api(method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: this.socket, agent: false, method, path, headers: { 'Content-Type': 'application/json' } }, (res) => {
        let data = ''
        res.on('data', (c: Buffer) => (data += c.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }))
      })
      req.on('error', reject)
      req.end(body)
    })
  }

  /** Removes every container and stops berthd (SIGTERM, SIGKILL after 5 s); the roots stay. */
  async stopDaemonOnly(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      const ids = this.berth(['ps', '-aq']).stdout.split('\n').filter(Boolean)
      if (ids.length > 0) this.berth(['rm', '-f', ...ids])
      this.child.kill('SIGTERM')
      await Promise.race([new Promise((r) => this.child?.once('exit', r)), sleep(5000)])
      if (this.child.exitCode === null) this.child.kill('SIGKILL')
    }
  }

  async stop(): Promise<void> {
    try {
      await this.stopDaemonOnly()
    } finally {
      // For chasing a flake: BERTH_IT_KEEP_LOGS=<dir> keeps each test daemon's debug log there.
      if (process.env.BERTH_IT_KEEP_LOGS) spawnSync('cp', [this.logFile, join(process.env.BERTH_IT_KEEP_LOGS, `berthd-${process.pid}-${Date.now()}.log`)])
      cleanupRoots(this.dataRoot, this.execRoot)
      cleanupNetwork(this.netPrefix)
    }
  }
}

/**
 * A network identity of its own for a test's berthd: prefix of its host objects (nft table, bridges,
 * veths), default bridge, its address, the pool user networks are cut from, and berthd's flags for
 * them. Every berthd a test starts needs one: with the defaults it would share berth0 and the
 * "berth" table with a berthd already running on the host, and delete them when it stops.
 */
export function privateNetwork(): { prefix: string; bridge: string; bip: string; pool: string; args: string[] } {
  const prefix = `bt${randomBytes(2).toString('hex')}`
  const octet = randomInt(200, 250)
  const bip = `10.${octet}.${randomInt(0, 256)}.1/24`
  const pool = `base=10.${octet}.0.0/16,size=24`
  return { prefix, bridge: `${prefix}0`, bip, pool, args: ['--net-prefix', prefix, '--bridge-name', `${prefix}0`, '--bip', bip, '--default-address-pool', pool] }
}

/** Links and the nftables table of a daemon's prefix, after a test that left them behind. */
export function cleanupNetwork(prefix: string): void {
  const links = spawnSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })
  for (const l of JSON.parse(links.stdout || '[]') as Array<{ ifname: string }>) {
    if (l.ifname.startsWith(prefix)) spawnSync('ip', ['link', 'del', l.ifname], { stdio: 'ignore' })
  }
  spawnSync('nft', ['delete', 'table', 'ip', prefix], { stdio: 'ignore' })
  spawnSync('nft', ['delete', 'table', 'ip6', prefix], { stdio: 'ignore' })
  const upper = prefix.toUpperCase()
  // Only tables that exist can hold rules of ours; touching a missing one would make iptables-nft create it.
  const tables = spawnSync('nft', ['list', 'tables'], { encoding: 'utf8' }).stdout ?? ''
  const has = (table: string): boolean => tables.split('\n').includes(`table ip ${table}`)
  for (const [table, chain, target] of [['nat', 'PREROUTING', 'PUBLISH'], ['nat', 'OUTPUT', 'PUBLISH'], ['nat', 'POSTROUTING', 'POSTROUTING'], ['filter', 'FORWARD', 'FORWARD']]) {
    if (!has(table!)) continue
    const rule = chain === 'POSTROUTING' || chain === 'FORWARD' ? ['-j', `${upper}-${target}`] : ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', `${upper}-${target}`]
    while (spawnSync('iptables', ['-w', '-t', table!, '-D', chain!, ...rule], { stdio: 'ignore' }).status === 0) { /* every copy */ }
  }
  for (const [table, chain] of [['nat', 'PUBLISH'], ['nat', 'POSTROUTING'], ['filter', 'FORWARD']]) {
    if (!has(table!)) continue
    spawnSync('iptables', ['-w', '-t', table!, '-F', `${upper}-${chain}`], { stdio: 'ignore' })
    spawnSync('iptables', ['-w', '-t', table!, '-X', `${upper}-${chain}`], { stdio: 'ignore' })
  }
}

/** Kills conmon/containers and unmounts whatever a test left under the roots, then deletes them. */
export function cleanupRoots(dataRoot: string, execRoot: string): void {
  const stateRoot = join(execRoot, 'runtime/state')
  for (const rt of ['crun', 'runc']) {
    const list = spawnSync(rt, ['--root', stateRoot, 'list', '-q'], { encoding: 'utf8' })
    for (const id of (list.stdout ?? '').split('\n').filter(Boolean)) {
      spawnSync(rt, ['--root', stateRoot, 'delete', '-f', id])
      removeCgroups(`berth/${id}`)
    }
  }
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(dataRoot) || m.startsWith(execRoot))
    .sort((a, b) => b.length - a.length)
  for (const m of mounts) spawnSync('umount', ['-l', m])
  rmSync(dataRoot, { recursive: true, force: true })
  rmSync(execRoot, { recursive: true, force: true })
}

function removeCgroups(rel: string): void {
  for (const h of ['blkio', 'cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'hugetlb', 'memory', 'pids', 'systemd', 'unified', 'net_cls', 'net_prio', 'perf_event']) {
    spawnSync('rmdir', [`/sys/fs/cgroup/${h}/${rel}`], { stdio: 'ignore' })
  }
}

export function runCli(cmd: string, args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): CliResult {
  const r = spawnSync(cmd, args, {
    input: opts.input ?? '',
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
  })
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** Polls until fn returns a truthy value or the deadline passes (then throws with the last value). */
export async function eventually<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: T | undefined
  while (Date.now() < deadline) {
    last = await fn()
    if (last) return last
    await sleep(50)
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`)
}

/** A TCP port on 127.0.0.1 nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}
