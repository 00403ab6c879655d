// ADD <https url> trusts the CA file berthd was given in NODE_EXTRA_CA_CERTS, though bin/berthd keeps
// node from loading it at start-up (src/daemon/start-env.ts, src/daemon/url-fetcher.ts); redirects
// are followed. Real berthd, crun, conmon and the docker CLI; the server is a node process of its own.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Daemon, eventually, isRoot } from './harness.js'

const skip = isRoot() ? false : 'needs root (namespaces, cgroups, overlay mounts)'

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
}

// /web.txt: the file; /moved: 302 to /web.txt; plain HTTP on the next port: 301 to https .../moved.
const serverScript = `
const { readFileSync } = require('node:fs')
const https = require('node:https'), http = require('node:http')
const dir = process.argv[1]
const tls = https.createServer({ key: readFileSync(dir + '/server-key.pem'), cert: readFileSync(dir + '/server.pem') }, (req, res) => {
  if (req.url === '/web.txt') res.writeHead(200, { 'Last-Modified': 'Tue, 14 Nov 2023 22:13:20 GMT' }).end('from a tls server\\n')
  else if (req.url === '/moved') res.writeHead(302, { Location: '/web.txt' }).end()
  else res.writeHead(404).end()
})
tls.listen(0, '127.0.0.1', () => {
  const port = tls.address().port
  const plain = http.createServer((req, res) => res.writeHead(301, { Location: 'https://127.0.0.1:' + port + '/moved' }).end())
  plain.listen(0, '127.0.0.1', () => console.log(port + ' ' + plain.address().port))
})
`

describe('build ADD <https url>', { skip }, () => {
  const dir = mkdtempSync('/var/tmp/berth-add-https-')
  const caFile = join(dir, 'ca.pem')
  const d = new Daemon()
  let server: ChildProcess | undefined
  let httpsPort = 0
  let httpPort = 0

  before(async () => {
    openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=berth ADD test CA', '-keyout', 'ca-key.pem', '-out', 'ca.pem'])
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n')
    openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server-key.pem', '-out', 'server.csr'])
    openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.pem'])
    server = spawn(process.execPath, ['-e', serverScript, dir], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    server.stdout?.on('data', (c: Buffer) => (out += c.toString()))
    await eventually(() => out.includes('\n'), 'the https server')
    ;[httpsPort, httpPort] = out.trim().split(' ').map(Number) as [number, number]
    // The CA only in NODE_EXTRA_CA_CERTS, as a host that trusts a private CA would give it.
    d.env = { ...process.env, NODE_EXTRA_CA_CERTS: caFile }
    await d.startWithBusybox()
  })
  after(async () => {
    server?.kill('SIGKILL')
    await d.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const dockerfile = (url: string): string => {
    const ctx = join(dir, `ctx-${Math.random().toString(16).slice(2)}`)
    spawnSync('mkdir', ['-p', ctx])
    writeFileSync(join(ctx, 'Dockerfile'), `FROM busybox\nADD ${url} /downloads/\n`)
    return ctx
  }

  test('ADD fetches through redirects from a server signed by the NODE_EXTRA_CA_CERTS CA', () => {
    for (const [tag, url] of [['https-direct', `https://127.0.0.1:${httpsPort}/web.txt`], ['https-moved', `http://127.0.0.1:${httpPort}/web.txt`]] as const) {
      const b = d.docker(['build', '-q', '-t', tag, dockerfile(url)], { timeoutMs: 120_000 })
      assert.equal(b.code, 0, b.stderr + d.log())
      const out = d.docker(['run', '--rm', tag, 'sh', '-c', 'cat /downloads/*; ls /downloads; stat -c "%a %Y" /downloads/*'])
      assert.equal(out.code, 0, out.stderr)
      assert.equal(out.stdout, 'from a tls server\nweb.txt\n600 1700000000\n')
    }
  })

  test('without NODE_EXTRA_CA_CERTS the same ADD fails and says why', async () => {
    await d.stopDaemonOnly()
    const env = { ...process.env }
    delete env.NODE_EXTRA_CA_CERTS
    d.env = env
    await d.start()
    const url = `https://127.0.0.1:${httpsPort}/web.txt`
    const b = d.docker(['build', '-q', dockerfile(url)], { timeoutMs: 120_000 })
    assert.notEqual(b.code, 0)
    assert.match(b.stderr, new RegExp(`ADD failed: cannot fetch ${url.replace(/\./g, '\\.')}: .*certificate`))
  })
})
