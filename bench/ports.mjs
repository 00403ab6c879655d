// Published-port throughput, measured so that it is fair to every engine and to both paths: each
// engine's busybox httpd is started first, then the bench waits for a quiet machine; then ab (C, one
// request at a time, a new connection each) runs short batches alternating the published port and the
// container's address, the engine order rotating batch by batch, with a short wait for quiet before
// each engine's pair of batches. Drift and other processes' noise so hit every engine and both paths
// alike. The client's own CPU time per request is recorded to show it is not the bottleneck.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { sh, stats, sleep, childCpuTicks, clockTicks } from './lib.mjs'
import { waitForIdle } from './idle.mjs'
import { runAsync } from './scale.mjs'

const HTTPD = 'mkdir -p /tmp && echo hello > /tmp/index.html && exec httpd -f -p 80 -h /tmp'

/** One ab batch: { rps, lat (ms: the batch's percentile points 0..99; with n = 100, every request), cpuTicks }. */
function abBatch(url, n, csv) {
  const c0 = childCpuTicks()
  const r = sh('ab', ['-q', '-n', String(n), '-c', '1', '-e', csv, url])
  const cpu = childCpuTicks() - c0
  const rps = Number(/Requests per second:\s+([\d.]+)/.exec(r.stdout)?.[1])
  const failed = Number(/Failed requests:\s+(\d+)/.exec(r.stdout)?.[1] ?? 0) + Number(/Non-2xx responses:\s+(\d+)/.exec(r.stdout)?.[1] ?? 0)
  if (r.status !== 0 || !rps || failed) throw new Error(`ab ${url}: ${failed ? `${failed} failed request(s)` : (r.stderr || r.error?.message || '').trim().split('\n').pop()}`)
  const lat = readFileSync(csv, 'utf8').split('\n').slice(1, 101).map((l) => Number(l.split(',')[1]))
  return { rps, lat, cpu }
}

/** Retries a short ab run until the server answers (a slow engine's server or port mapping may still be starting). */
async function warmUp(url, csv) {
  for (let tries = 0; ; tries++) {
    try { return abBatch(url, 10, csv) } catch (err) {
      if (tries >= 50) throw err
      await sleep(100)
    }
  }
}

/**
 * For every engine: busybox httpd published on 127.0.0.1:(basePort + i). Measures `batches` batches of
 * `requests` per path and engine; pids(engine) lists the daemon pids whose CPU must be still.
 * Resolves one row per engine: { name, published, publishedP99, direct, directP99, ratio, clientMs, wallMs }
 * or { name, error }, plus { quiet } notes on the waits.
 */
export async function portPhase(engines, { batches = 10, requests = 100, basePort = 18181, pids, checkpoint }) {
  if (sh('ab', ['-V']).status !== 0) return { rows: engines.map((e) => ({ kind: e.kind, name: e.name, error: 'ab not installed (apache2-utils, from scripts/setup.sh)' })), quiet: [] }
  const tmp = mkdtempSync('/tmp/bench-ab-')
  const csv = join(tmp, 'ab.csv')
  const live = []
  const rows = new Map()
  try {
    for (const [i, e] of engines.entries()) {
      const name = `bench-web-${basePort + i}`
      const r = await runAsync(e.cmd(['run', '-d', '--name', name, '-p', `127.0.0.1:${basePort + i}:80`, 'busybox', 'sh', '-c', HTTPD]))
      if (r.status !== 0) { rows.set(e, { name: e.name, error: `run failed: ${r.stderr.trim().split('\n').pop()}` }); continue }
      live.push({ e, name })
      const ip = e.cli(['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', name]).stdout.trim()
      const urls = { published: `http://127.0.0.1:${basePort + i}/`, direct: ip ? `http://${ip}/` : undefined }
      try {
        await warmUp(urls.published, csv)
        if (urls.direct) await warmUp(urls.direct, csv)
        rows.set(e, { urls, published: [], direct: [], ratios: [], lat: { published: [], direct: [] }, cpu: 0, n: 0 })
      } catch (err) { rows.set(e, { name: e.name, error: err.message }) }
    }
    const measured = engines.filter((e) => !rows.get(e)?.error)
    if (measured.length === 0) return { rows: engines.map((e) => ({ kind: e.kind, ...rows.get(e) })), quiet: [] }
    const first = await waitForIdle({ pids: measured.flatMap(pids), maxMs: 60_000 })
    const quiet = [`before the first batch: ${first.idle ? 'quiet' : 'still busy'} after ${(first.waitedMs / 1000).toFixed(1)} s (machine ${(first.busy * 100).toFixed(0)} % busy)`]
    const waits = []
    for (let b = 0; b < batches; b++) {
      for (let k = 0; k < measured.length; k++) {
        const e = measured[(b + k) % measured.length]
        const row = rows.get(e)
        if (row.error) continue
        waits.push(await waitForIdle({ pids: pids(e), maxMs: 3000, windowMs: 300 }))
        try {
          const paths = row.urls.direct ? (b % 2 ? ['direct', 'published'] : ['published', 'direct']) : ['published']
          const got = {}
          for (const p of paths) {
            got[p] = abBatch(row.urls[p], requests, csv)
            row[p].push(got[p].rps)
            row.lat[p].push(...got[p].lat)
            row.cpu += got[p].cpu
            row.n += requests
          }
          if (got.direct) row.ratios.push(got.published.rps / got.direct.rps)
        } catch (err) { rows.set(e, { name: e.name, error: err.message }) }
        await checkpoint()
      }
    }
    const quietOnes = waits.filter((w) => w.idle)
    const busy = waits.filter((w) => !w.idle).map((w) => w.busy * 100)
    quiet.push(`before each engine's pair of batches: quiet ${quietOnes.length} of ${waits.length} times (median wait ${stats(waits.map((w) => w.waitedMs)).median ?? 0} ms, at most 3 s` +
      `${busy.length ? `; when not, the machine was a median ${stats(busy).median.toFixed(0)} % busy` : ''})`)
    const result = engines.map((e) => {
      const r = rows.get(e)
      if (!r || r.error) return { kind: e.kind, name: e.name, error: r?.error ?? 'not measured' }
      const p99 = (xs) => (xs.length ? stats(xs).p99 : undefined)
      const median = (xs) => (xs.length ? stats(xs).median : undefined)
      return {
        kind: e.kind, name: e.name,
        published: median(r.published), publishedP99: p99(r.lat.published),
        direct: median(r.direct), directP99: p99(r.lat.direct),
        ratio: median(r.ratios),
        clientMs: (r.cpu / clockTicks()) * 1000 / r.n,
        wallMs: 1000 / median([...r.published, ...r.direct]),
      }
    })
    return { rows: result, quiet }
  } finally {
    for (const { e, name } of live) await runAsync(e.cmd(['rm', '-f', name]))
    rmSync(tmp, { recursive: true, force: true })
  }
}
