// Makes bin/berth-cli.cache (V8's code cache for the CLI bundle, see scripts/bundle-cli.mjs) by running
// the most common commands once each against a stand-in daemon: a code cache made after a run holds
// every function that run compiled, so later runs of those commands compile next to nothing.
// The stand-in answers just enough of the API for these commands to go their usual way; an
// answer it gets wrong only leaves some functions out of the cache.
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ID = 'c0ffee'.padEnd(64, '0')
const IMAGE_ID = `sha256:${'beef'.padEnd(64, '0')}`
const CREATED = 1_700_000_000

const CONTAINER = {
  Id: ID, Names: ['/c'], Image: 'busybox', ImageID: IMAGE_ID, Command: 'sleep 1000', Created: CREATED,
  Ports: [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }], Labels: { a: 'b' }, State: 'running', Status: 'Up 2 minutes',
  HostConfig: { NetworkMode: 'bridge' }, NetworkSettings: { Networks: { bridge: { NetworkID: ID, IPAddress: '172.17.0.2', IPPrefixLen: 16 } } }, Mounts: [],
}
const IMAGE = { Id: IMAGE_ID, ParentId: '', RepoTags: ['busybox:latest'], RepoDigests: [], Created: CREATED, Size: 1_984_132, SharedSize: -1, Labels: {}, Containers: -1 }
const NETWORK = {
  Name: 'bridge', Id: ID, Created: '2026-01-01T00:00:00Z', Scope: 'local', Driver: 'bridge', EnableIPv4: true, EnableIPv6: false,
  IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }] }, Internal: false, Attachable: false,
  Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: {}, Options: {}, Labels: {},
}
const VOLUME = { Name: 'v', Driver: 'local', Mountpoint: '/var/lib/berth/volumes/v/_data', CreatedAt: '2026-01-01T00:00:00Z', Labels: {}, Scope: 'local', Options: {} }

/** Commands run in order; each run adds what it compiled to the cache the previous ones left. */
const COMMANDS = [
  ['--version'],
  ['ps', '-a'],
  ['run', '--rm', 'busybox', 'true'],
  ['exec', 'c', 'true'],
  ['create', 'busybox', 'true'],
  ['images'],
  ['version'],
  ['rm', '-f', 'c'],
  ['inspect', 'c'],
  ['logs', 'c'],
  ['start', 'c'],
  ['stop', 'c'],
  ['network', 'ls'],
  ['volume', 'ls'],
  ['pull', 'busybox'],
  ['ps', '--help'],
]

const json = (res, status, body) => {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Api-Version': '1.50' })
  res.end(JSON.stringify(body))
}

/** Answers a hijacked attach or exec start: one line of stdout in a multiplexed frame, then EOF. */
const hijack = (req, socket) => {
  socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n')
  socket.end(frame('ok\n'))
}

/** One stdout frame of docker's multiplexed stream. */
function frame(text) {
  const payload = Buffer.from(text)
  const header = Buffer.alloc(8)
  header[0] = 1
  header.writeUInt32BE(payload.length, 4)
  return Buffer.concat([header, payload])
}

function answer(req, res) {
  const path = (req.url ?? '').replace(/^\/v[\d.]+/, '').split('?')[0]
  const inspect = { Id: ID, Name: '/c', State: { Status: 'running', Running: true }, Config: { Tty: false, AttachStdout: true }, HostConfig: {} }
  if (path === '/_ping') {
    res.writeHead(200, { 'Api-Version': '1.50', 'Content-Type': 'text/plain' })
    return res.end(req.method === 'HEAD' ? undefined : 'OK')
  }
  if (path === '/version') return json(res, 200, { Version: '0.1.0', ApiVersion: '1.50', MinAPIVersion: '1.24', Os: 'linux', Arch: 'amd64', Components: [] })
  // Lists hold one item each, so that the code cache also holds how rows are rendered (an empty
  // list leaves that to be compiled at every real `berth ps`).
  if (path === '/containers/json') return json(res, 200, [CONTAINER])
  if (path === '/images/json') return json(res, 200, [IMAGE])
  if (path === '/networks') return json(res, 200, [NETWORK])
  if (path === '/volumes') return json(res, 200, { Volumes: [VOLUME], Warnings: [] })
  if (path === '/images/create') return json(res, 200, { status: 'Pulling from library/busybox', id: 'latest' })
  if (/^\/containers\/[^/]+\/logs$/.test(path)) {
    res.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' })
    return res.end(frame('ok\n'))
  }
  if (path === '/containers/create') return json(res, 201, { Id: ID, Warnings: [] })
  if (/^\/containers\/[^/]+\/wait$/.test(path)) return json(res, 200, { StatusCode: 0 })
  if (/^\/containers\/[^/]+\/json$/.test(path)) return json(res, 200, inspect)
  if (/^\/containers\/[^/]+\/exec$/.test(path)) return json(res, 201, { Id: ID })
  if (/^\/exec\/[^/]+\/json$/.test(path)) return json(res, 200, { ID, Running: false, ExitCode: 0, ProcessConfig: { tty: false } })
  if (/^\/containers\/[^/]+(\/(start|stop|kill))?$/.test(path)) {
    res.writeHead(204)
    return res.end()
  }
  json(res, 404, { message: `stand-in daemon: no ${req.method} ${path}` })
}

function runOnce(bin, host, args) {
  const env = { ...process.env, BERTH_WRITE_CODE_CACHE: '1' }
  delete env.NODE_EXTRA_CA_CERTS // as bin/berth does
  delete env.NODE_OPTIONS // V8 flags are part of the cache's key: make it for a plain `node`
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(bin, 'berth.js'), '-H', host, ...args], { env, stdio: 'ignore' })
    const timer = setTimeout(() => child.kill('SIGTERM'), 10_000)
    child.on('exit', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

/** Runs COMMANDS with bin/berth.js against a stand-in daemon on a private socket; they leave bin/berth-cli.cache. */
export async function warmCodeCache(bin) {
  const dir = await mkdtemp(join(tmpdir(), 'berth-warmup-'))
  const socket = join(dir, 'api.sock')
  const server = createServer(answer)
  server.on('upgrade', hijack)
  await new Promise((resolve) => server.listen(socket, resolve))
  try {
    for (const args of COMMANDS) await runOnce(bin, `unix://${socket}`, args)
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await rm(dir, { recursive: true, force: true })
  }
}
