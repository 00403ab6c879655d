// Push and pull through real registries on loopback: Debian's docker-registry (Distribution 2.8)
// and berth's own `berth registry serve`, driven by the real docker CLI and the berth CLI against a
// real berthd; login with htpasswd Basic auth.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Daemon, isRoot } from './harness.js'
import { htpasswdLine, imageArchive, layerTar, packEntries, startBerthRegistry, startDistribution, type RunningRegistry } from './registry-peers.js'

const hasRegistry = isRoot() && spawnable('docker-registry') && spawnable('htpasswd')
const skip = hasRegistry ? false : 'needs root, docker-registry and htpasswd (scripts/setup.sh installs them)'

function spawnable(bin: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => {
    try {
      readFileSync(join(d, bin))
      return true
    } catch {
      return false
    }
  })
}

const lines = (text: string, re: RegExp): string[] => text.split('\n').filter((l) => re.test(l))

for (const kind of ['distribution', 'berth'] as const) {
  describe(`registry round trip against ${kind === 'distribution' ? "Debian's docker-registry" : 'berth registry serve'}`, { skip }, () => {
    const d = new Daemon()
    let reg: RunningRegistry
    before(async () => {
      reg = kind === 'distribution' ? await startDistribution() : await startBerthRegistry()
      await d.startWithBusybox()
    })
    after(async () => {
      await d.stop()
      await reg?.stop()
    })

    test('tag, push, rmi, pull and run with the docker CLI', () => {
      const ref = `${reg.addr}/it/busybox:1`
      assert.equal(d.docker(['tag', 'busybox', ref]).code, 0)
      const push = d.docker(['push', ref])
      assert.equal(push.code, 0, push.stderr)
      assert.match(push.stdout, new RegExp(`The push refers to repository \\[${reg.addr}/it/busybox\\]`))
      assert.equal(lines(push.stdout, /: Pushed$/).length, 1, push.stdout)
      assert.match(push.stdout, /^1: digest: sha256:[0-9a-f]{64} size: \d+$/m)
      // Without busybox too, so that the layer itself is gone and must be downloaded.
      const rmi = d.docker(['rmi', ref, 'busybox'])
      assert.equal(rmi.code, 0, rmi.stderr)
      assert.match(rmi.stdout, /^Deleted: sha256:/m)
      assert.equal(d.docker(['image', 'inspect', ref]).code, 1)

      const pull = d.docker(['pull', ref])
      assert.equal(pull.code, 0, pull.stderr)
      assert.match(pull.stdout, /^1: Pulling from it\/busybox$/m)
      assert.match(pull.stdout, /: Pull complete$/m)
      assert.match(pull.stdout, new RegExp(`Status: Downloaded newer image for ${reg.addr}/it/busybox:1`))
      const run = d.docker(['run', '--rm', ref, 'echo', 'pulled and ran'])
      assert.equal(run.code, 0, run.stderr)
      assert.equal(run.stdout, 'pulled and ran\n')

      const again = d.docker(['pull', ref])
      assert.equal(again.code, 0, again.stderr)
      assert.match(again.stdout, /Status: Image is up to date for/)

      // A pulled layer's tar is served from its registry blob: save, rmi and load give the image back.
      const file = join(d.dataRoot, 'pulled.tar')
      const save = d.docker(['save', '-o', file, ref])
      assert.equal(save.code, 0, save.stderr)
      assert.equal(d.docker(['rmi', ref]).code, 0)
      const load = d.docker(['load', '-i', file])
      assert.equal(load.code, 0, load.stderr)
      assert.equal(d.docker(['run', '--rm', ref, 'echo', 'loaded']).stdout, 'loaded\n')
      rmSync(file)
      assert.equal(d.docker(['tag', ref, 'busybox']).code, 0)
    })

    test('a push whose base layer the registry has uploads only the new layer; re-push uploads nothing', async () => {
      const base = `${reg.addr}/it/app:base`
      assert.equal(d.docker(['tag', 'busybox', base]).code, 0)
      assert.equal(d.docker(['push', base]).code, 0)
      const diffId = JSON.parse(d.docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', 'busybox']).stdout)[0] as string
      const extra = await packEntries([{ name: 'app/', type: 'directory' }, { name: 'app/hello.txt', data: 'hello from the app layer\n' }])
      const archive = await imageArchive([layerTar(d.dataRoot, diffId), extra], `${reg.addr}/it/app:v2`, ['cat', '/app/hello.txt'])
      const file = join(d.dataRoot, 'app-v2.tar')
      writeFileSync(file, archive)
      const load = d.docker(['load', '-i', file])
      assert.equal(load.code, 0, load.stderr)

      const push = d.docker(['push', `${reg.addr}/it/app:v2`])
      assert.equal(push.code, 0, push.stderr)
      assert.equal(lines(push.stdout, /: Pushed$/).length, 1, push.stdout)
      assert.equal(lines(push.stdout, /: Layer already exists$/).length, 1, push.stdout)

      const repush = d.docker(['push', `${reg.addr}/it/app:v2`])
      assert.equal(repush.code, 0, repush.stderr)
      assert.equal(lines(repush.stdout, /: Pushed$/).length, 0, repush.stdout)
      assert.equal(lines(repush.stdout, /: Layer already exists$/).length, 2, repush.stdout)

      // Another repository on the same registry gets the layers by cross-repository mount.
      assert.equal(d.docker(['tag', `${reg.addr}/it/app:v2`, `${reg.addr}/other/app:v2`]).code, 0)
      const mounted = d.docker(['push', `${reg.addr}/other/app:v2`])
      assert.equal(mounted.code, 0, mounted.stderr)
      assert.equal(lines(mounted.stdout, /: Mounted from it\/app$/).length, 2, mounted.stdout)

      assert.equal(d.docker(['rmi', `${reg.addr}/it/app:v2`, `${reg.addr}/other/app:v2`]).code, 0)
      const run = d.docker(['run', '--rm', `${reg.addr}/it/app:v2`])
      assert.equal(run.code, 0, run.stderr)
      assert.equal(run.stdout, 'hello from the app layer\n')
    })

    test('pull by digest records the RepoDigest; berth pull and push work too', () => {
      const ref = `${reg.addr}/it/bydigest:1`
      assert.equal(d.berth(['tag', 'busybox', ref]).code, 0)
      const push = d.berth(['push', ref])
      assert.equal(push.code, 0, push.stderr)
      const digest = /digest: (sha256:[0-9a-f]{64})/.exec(push.stdout)?.[1]
      assert.ok(digest, push.stdout)
      const inspect = d.docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', ref])
      assert.ok((JSON.parse(inspect.stdout) as string[]).includes(`${reg.addr}/it/bydigest@${digest}`), inspect.stdout)
      assert.equal(d.docker(['rmi', ref]).code, 0)

      const byDigest = `${reg.addr}/it/bydigest@${digest}`
      const pull = d.berth(['pull', byDigest])
      assert.equal(pull.code, 0, pull.stderr)
      assert.match(pull.stdout, new RegExp(`Digest: ${digest}`))
      assert.equal(pull.stdout.trim().split('\n').at(-1), byDigest)
      const run = d.docker(['run', '--rm', byDigest, 'true'])
      assert.equal(run.code, 0, run.stderr)
      assert.ok((JSON.parse(d.docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', byDigest]).stdout) as string[]).includes(byDigest))

      // run pulls a missing image first, with either CLI.
      for (const cli of ['docker', 'berth'] as const) {
        const missing = `${reg.addr}/it/autopull:${cli}`
        assert.equal(d.docker(['tag', byDigest, missing]).code, 0)
        assert.equal(d.docker(['push', missing]).code, 0)
        assert.equal(d.docker(['rmi', missing]).code, 0)
        const auto = d.cli(cli, ['run', '--rm', missing, 'echo', 'auto-pulled'])
        assert.equal(auto.code, 0, auto.stderr)
        assert.match(auto.stderr, /Unable to find image .* locally/)
        assert.equal(auto.stdout, 'auto-pulled\n')
      }
    })

    test('a build FROM an image that is only in the registry pulls it; --pull pulls again', () => {
      const ref = `${reg.addr}/it/base:1`
      assert.equal(d.docker(['tag', 'busybox', ref]).code, 0)
      assert.equal(d.docker(['push', ref]).code, 0)
      assert.equal(d.docker(['rmi', ref]).code, 0)
      const ctx = mkdtempSync(join(d.dataRoot, 'ctx-'))
      try {
        writeFileSync(join(ctx, 'Dockerfile'), `FROM ${ref}\nRUN echo built > /built\n`)
        const build = d.docker(['build', '-q', '-t', 'it/frompull', ctx])
        assert.equal(build.code, 0, build.stderr)
        assert.equal(d.docker(['image', 'inspect', ref]).code, 0, 'the base image was pulled')
        assert.equal(d.docker(['run', '--rm', 'it/frompull', 'cat', '/built']).stdout, 'built\n')
        const again = d.berth(['build', '--pull', '--progress', 'plain', '-t', 'it/frompull', ctx])
        assert.equal(again.code, 0, again.stderr)
        assert.match(again.stdout + again.stderr, new RegExp(`Pulling ${reg.addr}/it/base:1`))
        const missing = `${reg.addr}/it/nobase:1`
        writeFileSync(join(ctx, 'Dockerfile'), `FROM ${missing}\n`)
        const failed = d.docker(['build', ctx])
        assert.notEqual(failed.code, 0)
        assert.match(failed.stderr, /manifest for .*it\/nobase:1 not found: manifest unknown/)
      } finally {
        rmSync(ctx, { recursive: true, force: true })
        d.docker(['rmi', '-f', 'it/frompull', ref])
      }
    })

    test('pulling a missing tag fails with the registry\'s manifest unknown', () => {
      const r = d.docker(['pull', `${reg.addr}/it/nothing:here`])
      assert.equal(r.code, 1)
      assert.match(r.stderr, /manifest for .*it\/nothing:here not found: manifest unknown/)
    })
  })
}

describe('registry login with htpasswd Basic auth', { skip }, () => {
  const d = new Daemon()
  const regs: RunningRegistry[] = []
  const configDir = mkdtempSync('/tmp/berth-docker-config-')
  before(async () => {
    const line = htpasswdLine('alice', 's3cret')
    regs.push(await startDistribution({ htpasswd: line }), await startBerthRegistry({ htpasswd: line }))
    await d.startWithBusybox()
  })
  after(async () => {
    await d.stop()
    for (const r of regs) await r.stop()
    rmSync(configDir, { recursive: true, force: true })
  })

  test('a wrong password gives a clear 401; the right one logs in, stores config.json auths, and push/pull use it', () => {
    for (const reg of regs) {
      for (const cli of ['docker', 'berth'] as const) {
        const env = { DOCKER_CONFIG: join(configDir, `${cli}-${reg.addr.replace(':', '-')}`) }
        const ref = `${reg.addr}/secure/busybox:${cli}`
        assert.equal(d.cli(cli, ['tag', 'busybox', ref]).code, 0)
        const anonymous = d.cli(cli, ['push', ref], { env })
        assert.notEqual(anonymous.code, 0)
        assert.match(anonymous.stdout + anonymous.stderr, /unauthorized|authentication required/i)

        const wrong = d.cli(cli, ['login', '-u', 'alice', '--password-stdin', reg.addr], { env, input: 'nope\n' })
        assert.equal(wrong.code, 1)
        assert.match(wrong.stderr, new RegExp(`Error response from daemon: login attempt to http://${reg.addr}/v2/ failed with status: 401 Unauthorized`))

        const ok = d.cli(cli, ['login', '-u', 'alice', '--password-stdin', reg.addr], { env, input: 's3cret\n' })
        assert.equal(ok.code, 0, ok.stderr)
        assert.match(ok.stdout, /Login Succeeded/)
        const stored = JSON.parse(readFileSync(join(env.DOCKER_CONFIG, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> }
        assert.equal(Buffer.from(stored.auths[reg.addr]?.auth ?? '', 'base64').toString(), 'alice:s3cret')

        const push = d.cli(cli, ['push', ref], { env })
        assert.equal(push.code, 0, push.stderr)
        assert.equal(d.docker(['rmi', ref]).code, 0)
        const pull = d.cli(cli, ['pull', ref], { env })
        assert.equal(pull.code, 0, pull.stderr)

        const logout = d.cli(cli, ['logout', reg.addr], { env })
        assert.equal(logout.code, 0, logout.stderr)
        assert.match(logout.stdout, new RegExp(`Removing login credentials for ${reg.addr}`))
        assert.equal(d.docker(['rmi', ref]).code, 0)
        assert.notEqual(d.cli(cli, ['pull', ref], { env }).code, 0)
      }
    }
  })
})
