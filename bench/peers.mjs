// Docker and Podman as benchmark peers: installed from Debian on request, each confined to private roots
// (dockerd on its own socket, data root and exec root with its own containerd; podman with its own
// --root/--runroot and containers.conf) so the host's default storage and sockets stay untouched.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync, readFileSync, openSync, closeSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { sh, must, sleep, alive, processes, umountUnder } from './lib.mjs'
import { snapshotHost, saveSnapshot, loadSnapshot, restoreHost, leftovers, PEER_LINKS } from './host-state.mjs'

/** The real docker CLI 28; Debian's docker.io also installs an older /usr/bin/docker. */
export const DOCKER_CLI = '/usr/local/bin/docker'
/** Debian's docker.io CLI 20.10: the only client here that drives dockerd's built-in BuildKit (no buildx). */
export const DOCKER_BUILDKIT_CLI = '/usr/bin/docker'

export const DOCKER = {
  runDir: '/run/bench-docker',
  sock: '/run/bench-docker/docker.sock',
  pidfile: '/run/bench-docker/docker.pid',
  dataRoot: '/var/tmp/bench-docker',
  execRoot: '/run/bench-docker-exec',
}
export const PODMAN = { dir: '/var/tmp/bench-podman', runDir: '/run/bench-podman' }
const PEER_ROOTS = [DOCKER.runDir, DOCKER.dataRoot, DOCKER.execRoot, PODMAN.dir, PODMAN.runDir]
export const dockerEnv = { DOCKER_HOST: `unix://${DOCKER.sock}` }

const PACKAGES = ['docker.io', 'podman']
const POLICY_RC = '/usr/sbin/policy-rc.d'

const installed = (p) => sh('dpkg-query', ['-W', '-f=${Status}', p]).stdout.includes('install ok installed')

/**
 * Installs docker.io and podman when missing (idempotent). A temporary policy-rc.d keeps the packages
 * from starting the host's own dockerd on /var/run/docker.sock while they install. Returns notes.
 */
function installPeers() {
  const missing = PACKAGES.filter((p) => !installed(p))
  if (missing.length === 0) return [`${PACKAGES.join(', ')} already installed`]
  const notes = [`installed ${missing.join(', ')} (apt-get, --no-install-recommends)`]
  const ownPolicy = !existsSync(POLICY_RC)
  if (ownPolicy) writeFileSync(POLICY_RC, '#!/bin/sh\nexit 101\n', { mode: 0o755 })
  try {
    must('apt-get', ['update', '-qq'])
    must('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { DEBIAN_FRONTEND: 'noninteractive' })
  } finally {
    if (ownPolicy) rmSync(POLICY_RC, { force: true })
  }
  if (ownPolicy) notes.push('a temporary /usr/sbin/policy-rc.d kept apt from starting the system dockerd')
  return notes
}

export function peerVersions() {
  const first = (cmd, a) => sh(cmd, a).stdout.split('\n')[0].trim()
  return {
    dockerd: first('dockerd', ['--version']).replace(/^Docker version /, '').replace(/, build.*/, ''),
    containerd: first('containerd', ['--version']).split(' ')[2] ?? '?',
    runc: first('runc', ['--version']).split(' ')[2] ?? '?',
    podman: first('podman', ['--version']).replace(/^podman version /, ''),
    crun: first('crun', ['--version']).split(' ')[2] ?? '?',
    conmon: first('conmon', ['--version']).split(' ')[2] ?? '?',
    dockerCli: sh(DOCKER_CLI, ['version', '--format', '{{.Client.Version}}']).stdout.trim(),
  }
}

/** Starts dockerd (which starts and owns its containerd) in its own process group; resolves to its pid. */
async function startDocker() {
  for (const d of [DOCKER.runDir, DOCKER.dataRoot, DOCKER.execRoot]) mkdirSync(d, { recursive: true })
  // An empty config file so a host /etc/docker/daemon.json cannot change the peer.
  writeFileSync(join(DOCKER.runDir, 'daemon.json'), '{}\n')
  const log = openSync(join(DOCKER.runDir, 'dockerd.log'), 'a')
  const child = spawn('dockerd', [
    '-H', `unix://${DOCKER.sock}`, '--data-root', DOCKER.dataRoot, '--exec-root', DOCKER.execRoot,
    '--pidfile', DOCKER.pidfile, '--config-file', join(DOCKER.runDir, 'daemon.json'),
  ], { stdio: ['ignore', log, log], detached: true })
  closeSync(log)
  child.unref()
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) break
    if (existsSync(DOCKER.sock) && sh(DOCKER_CLI, ['version'], dockerEnv).status === 0) return child.pid
    await sleep(100)
  }
  throw new Error(`dockerd did not come up; log tail:\n${dockerLogTail()}`)
}

export const dockerLogTail = () => {
  try { return readFileSync(join(DOCKER.runDir, 'dockerd.log'), 'utf8').split('\n').slice(-15).join('\n') } catch { return '' }
}

export const containerdPid = (dockerdPid) => processes().find((p) => p.ppid === dockerdPid && p.comm === 'containerd')?.pid

/** Pids whose command line names one of the roots (containerd, shims, conmon), dockerd first. */
const processesUnder = (roots) => processes().filter((p) => p.pid !== process.pid && roots.some((r) => p.cmdline.includes(r)))

async function killAndWait(pids, signal, ms) {
  for (const pid of pids) { try { process.kill(pid, signal) } catch { /* gone */ } }
  for (let t = 0; t < ms && pids.some(alive); t += 100) await sleep(100)
  return pids.filter(alive)
}

/** Stops dockerd (SIGTERM, then SIGKILL), then any containerd or shim still running from its roots. */
async function stopDocker() {
  let pid
  try { pid = Number(readFileSync(DOCKER.pidfile, 'utf8').trim()) } catch { pid = undefined }
  const notes = []
  if (pid && alive(pid)) {
    const left = await killAndWait([pid], 'SIGTERM', 20000)
    if (left.length) { await killAndWait(left, 'SIGKILL', 5000); notes.push('dockerd needed SIGKILL') }
  }
  const rest = processesUnder([DOCKER.dataRoot, DOCKER.execRoot, DOCKER.runDir]).map((p) => p.pid)
  if (rest.length) {
    const left = await killAndWait(rest, 'SIGTERM', 5000)
    await killAndWait(left, 'SIGKILL', 5000)
    notes.push(`stopped ${rest.length} leftover containerd/shim process(es)`)
  }
  return notes
}

const hardLimit = (name) => {
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith(name))
  const hard = line?.slice(26).trim().split(/\s+/)[1]
  return hard === undefined || hard === 'unlimited' ? undefined : Number(hard)
}

/**
 * Writes podman's private containers.conf and storage.conf; returns { args, env, notes }. Podman 4.3
 * asks for nofile and nproc rlimits above the hard limits, and root here lacks CAP_SYS_RESOURCE, so the
 * defaults are pinned to what the podman process itself holds (it lowers its own nproc to 32768).
 */
function preparePodman() {
  mkdirSync(join(PODMAN.dir, 'cni'), { recursive: true })
  mkdirSync(join(PODMAN.runDir, 'tmp'), { recursive: true })
  const nofile = hardLimit('Max open files') ?? 1048576
  const nproc = Math.min(hardLimit('Max processes') ?? 32768, 32768)
  const ulimits = [`nofile=${nofile}:${nofile}`, `nproc=${nproc}:${nproc}`]
  const conf = join(PODMAN.dir, 'containers.conf')
  writeFileSync(conf, [
    '[containers]',
    `default_ulimits = [${ulimits.map((u) => `"${u}"`).join(', ')}]`,
    '[engine]',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    `events_logfile_path = "${PODMAN.dir}/events.log"`,
    `tmp_dir = "${PODMAN.runDir}/tmp"`,
    'runtime = "crun"',
    '[network]',
    'network_backend = "cni"',
    `network_config_dir = "${PODMAN.dir}/cni"`,
    '',
  ].join('\n'))
  const storage = join(PODMAN.dir, 'storage.conf')
  writeFileSync(storage, `[storage]\ndriver = "overlay"\ngraphroot = "${PODMAN.dir}/root"\nrunroot = "${PODMAN.runDir}/runroot"\n`)
  return {
    args: ['--root', join(PODMAN.dir, 'root'), '--runroot', join(PODMAN.runDir, 'runroot'), '--storage-driver', 'overlay'],
    env: { CONTAINERS_CONF: conf, CONTAINERS_STORAGE_CONF: storage },
    notes: [
      `CONTAINERS_CONF: default_ulimits = [${ulimits.join(', ')}] (root lacks CAP_SYS_RESOURCE; podman's defaults exceed the hard limits)`,
      'cgroup_manager cgroupfs, events_logger file, tmp_dir, CNI network config dir and storage all under the private roots',
    ],
  }
}

/** Removes every podman container, then stops any conmon still running from podman's roots. */
async function stopPodman(pm) {
  const notes = []
  if (existsSync(join(PODMAN.dir, 'root'))) pm(['rm', '-af', '-t', '0'])
  const rest = processesUnder([PODMAN.dir, PODMAN.runDir]).map((p) => p.pid)
  if (rest.length) {
    await killAndWait(await killAndWait(rest, 'SIGTERM', 3000), 'SIGKILL', 3000)
    notes.push(`stopped ${rest.length} leftover conmon process(es)`)
  }
  return notes
}

/** Unmounts whatever is left under the peers' roots and deletes them. */
function removePeerRoots() {
  umountUnder(PEER_ROOTS)
  for (const r of PEER_ROOTS) rmSync(r, { recursive: true, force: true })
}

const SNAPSHOT = join(DOCKER.runDir, 'host-before.json')

/**
 * Docker and Podman for one bench script. start() installs them when asked, refuses to run beside a live
 * bench, clears what an interrupted run left (with the host record it saved), records the host, starts
 * dockerd and prepares podman. stop(roots) must then run whatever happened: it removes every peer
 * container and image, stops the daemons and their monitors, puts the host back, deletes the private
 * roots and returns what still differs from before (checking `roots` too: the caller's own roots, whose
 * daemon it has stopped first). setupNotes and cleanupNotes say what was done, for the report.
 */
export function peerSession({ install = false } = {}) {
  const s = { setupNotes: [], cleanupNotes: [], hostBefore: undefined, dockerPid: undefined, podman: undefined }
  s.pm = (argv) => sh('podman', [...s.podman.args, ...argv], s.podman.env)
  s.start = async () => {
    if (install) s.setupNotes.push(...installPeers())
    const pid = existsSync(DOCKER.pidfile) ? Number(readFileSync(DOCKER.pidfile, 'utf8').trim()) : 0
    if (pid && alive(pid)) throw new Error(`dockerd ${pid} from another bench run is using ${DOCKER.runDir}`)
    if (PEER_ROOTS.some(existsSync)) {
      const before = existsSync(SNAPSHOT) ? loadSnapshot(SNAPSHOT) : snapshotHost()
      await stopDocker()
      if (existsSync(join(PODMAN.dir, 'containers.conf'))) {
        const p = preparePodman()
        sh('podman', [...p.args, 'rm', '-af', '-t', '0'], p.env)
      }
      s.cleanupNotes.push(...restoreHost(before).map((l) => `(previous run) ${l}`))
      removePeerRoots()
      s.setupNotes.push('cleared what an interrupted earlier run had left under the private roots')
    }
    const have = snapshotHost().links.filter((l) => PEER_LINKS.includes(l))
    if (have.length) throw new Error(`${have.join(', ')} already exist (a Docker or Podman outside the bench?); --with-peers would delete them afterwards`)
    s.hostBefore = snapshotHost()
    mkdirSync(DOCKER.runDir, { recursive: true })
    saveSnapshot(SNAPSHOT, s.hostBefore)
    s.dockerPid = await startDocker()
    s.setupNotes.push(`dockerd: -H unix://${DOCKER.sock} --data-root ${DOCKER.dataRoot} --exec-root ${DOCKER.execRoot} --pidfile ${DOCKER.pidfile}, an empty --config-file, its own containerd; default bridge and iptables kept (docker0, DOCKER chains, FORWARD policy and ip_forward are put back afterwards)`)
    s.setupNotes.push('dockerd: no workaround was needed (runc 1.1 runs containers without CAP_SYS_RESOURCE here)')
    s.podman = preparePodman()
    s.setupNotes.push(...s.podman.notes.map((n) => `podman: ${n}`))
  }
  s.stop = async (roots = []) => {
    if (!s.hostBefore) return [] // start() stopped before touching anything
    if (s.dockerPid && alive(s.dockerPid)) {
      const ids = sh(DOCKER_CLI, ['ps', '-aq'], dockerEnv).stdout.split('\n').filter(Boolean)
      if (ids.length) sh(DOCKER_CLI, ['rm', '-f', ...ids], dockerEnv)
    }
    if (s.podman) {
      s.cleanupNotes.push(...await stopPodman(s.pm))
      s.pm(['rmi', '-af'])
    }
    s.cleanupNotes.push(...await stopDocker())
    umountUnder(PEER_ROOTS)
    s.cleanupNotes.push(...restoreHost(s.hostBefore))
    removePeerRoots()
    return leftovers(s.hostBefore, [...PEER_ROOTS, ...roots])
  }
  return s
}

/** The report's "Cleanup" section: what stop() did and what the host check found. */
function cleanupSection(notes, left) {
  return `\n## Cleanup\n\n${notes.map((n) => `- ${n}`).join('\n')}${notes.length ? '\n' : ''}` +
    '- host check after cleanup (links, netns, nftables tables, iptables rules, mounts, paths, processes from the bench roots): ' +
    `${left.length ? `LEFTOVERS:\n${left.map((l) => `  - ${l}`).join('\n')}` : 'as before'}\n`
}

/**
 * The end of a bench script that started berthd (and maybe the peers): stops berthd, unmounts and removes
 * its roots, stops the peers and checks the host. Returns the report's peer setup and cleanup sections
 * ('' without peers).
 */
export async function tearDown({ berthd, peers, roots }) {
  if (berthd) await berthd.stop()
  umountUnder(roots)
  let md = ''
  if (peers) {
    const left = await peers.stop(roots)
    md = `\n## Setup applied to peers\n\n${peers.setupNotes.map((n) => `- ${n}`).join('\n')}\n${cleanupSection(peers.cleanupNotes, left)}`
  }
  for (const r of roots) rmSync(r, { recursive: true, force: true })
  return md
}
