// Published-port throughput, measured so that it is fair to every engine and to both paths: each
// engine's busybox httpd is started first, then the bench waits for a quiet machine; then ab (C, one
// request at a time, a new connection each) runs short batches alternating the published port and the
// container's address, the engine order rotating batch by batch, with a short wait for quiet before
// each engine's pair of batches. Drift and other processes' noise so hit every engine and both paths
// alike. The client's own CPU time per request is recorded to show it is not the bottleneck.
// Then, when wrk is installed (the tool issue 10 names), the same alternation with wrk -t1 -c1 batches
// of whole seconds: each batch is the issue's scenario itself (1000 and more sequential requests, a new
// connection each since busybox httpd closes every one), where an ab batch of 100 lasts ~60 ms and a
// single scheduling hiccup moves its rate.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { sh, stats, sleep, childCpuTicks, clockTicks } from './lib.mjs'
import { waitForIdle } from './idle.mjs'
import { runAsync } from './scale.mjs'

const HTTPD = 'mkdir -p /tmp && echo hello > /tmp/index.html && exec httpd -f -p 80 -h /tmp'

/**
 * The median, the mean of the two middle values for an even count (lib's stats().median takes the lower
 * one, which for 10 per-batch published/direct ratios spread by noise reads several % low, and not
 * symmetrically: the lower median of a/b is not 1 / the lower median of b/a).
 */
export function median(xs) {
  if (!xs.length) return undefined
  const s = [...xs].sort((a, b) => a - b)
  const h = s.length >> 1
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2
}

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

/** wrk's latency text ("504.00us", "2.72ms", "1.02s") in ms. */
function wrkMs(text) {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text ?? '')
  return m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]] : undefined
}

/** One wrk batch (-t1 -c1, `seconds` long): { rps, requests, p50, p99 (ms) }; throws on socket errors or non-2xx answers. */
function wrkBatch(url, seconds) {
  const r = sh('wrk', ['-t1', '-c1', `-d${seconds}s`, '--latency', url])
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1])
  const errors = /Socket errors: (.*)/.exec(r.stdout)?.[1]
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1]
  if (r.status !== 0 || !rps || errors || non2xx) {
    throw new Error(`wrk ${url}: ${errors ? `socket errors: ${errors}` : non2xx ? `${non2xx} non-2xx answers` : (r.stderr || r.error?.message || r.stdout).trim().split('\n').pop()}`)
  }
  return {
    rps,
    requests: Number(/(\d+) requests in/.exec(r.stdout)?.[1]),
    p50: wrkMs(/^\s+50%\s+(\S+)/m.exec(r.stdout)?.[1]),
    p99: wrkMs(/^\s+99%\s+(\S+)/m.exec(r.stdout)?.[1]),
  }
}

/** Whether wrk is on PATH (`wrk -v` exits 1 after printing its version). */
const haveWrk = () => !sh('wrk', ['-v']).error

/**
 * `rounds` rounds of one wrk batch per path and engine (paths alternating round by round, engine order
 * rotating, each pair after a short wait for quiet), against the URLs of the ab phase's rows.
 * Resolves { rows: Map(engine -> wrk row), quiet: text }.
 */
async function wrkRounds(measured, { rounds, seconds, rows, pids, checkpoint }) {
  const got = new Map(measured.map((e) => [e, { published: [], direct: [], ratios: [], p50: { published: [], direct: [] }, requests: [] }]))
  const waits = []
  for (let b = 0; b < rounds; b++) {
    for (let k = 0; k < measured.length; k++) {
      const e = measured[(b + k) % measured.length]
      const g = got.get(e)
      if (g.error) continue
      const urls = rows.get(e).urls
      waits.push(await waitForIdle({ pids: pids(e), maxMs: 3000, windowMs: 300 }))
      try {
        const paths = urls.direct ? (b % 2 ? ['direct', 'published'] : ['published', 'direct']) : ['published']
        const pair = {}
        for (const p of paths) {
          pair[p] = wrkBatch(urls[p], seconds)
          g[p].push(pair[p].rps)
          if (pair[p].p50 !== undefined) g.p50[p].push(pair[p].p50)
          g.requests.push(pair[p].requests)
        }
        if (pair.direct) g.ratios.push(pair.published.rps / pair.direct.rps)
      } catch (err) { g.error = err.message }
      await checkpoint()
    }
  }
  const out = new Map([...got].map(([e, g]) => [e, g.error ? { error: g.error } : {
    published: median(g.published), direct: median(g.direct), ratio: median(g.ratios), ratios: g.ratios,
    publishedP50: median(g.p50.published), directP50: median(g.p50.direct), requests: median(g.requests),
  }]))
  const quietOnes = waits.filter((w) => w.idle).length
  return { rows: out, quiet: `quiet ${quietOnes} of ${waits.length} times (median wait ${stats(waits.map((w) => w.waitedMs)).median ?? 0} ms, at most 3 s)` }
}

/**
 * For every engine: busybox httpd published on 127.0.0.1:(basePort + i). Measures `batches` batches of
 * `requests` per path and engine; pids(engine) lists the daemon pids whose CPU must be still.
 * Resolves one row per engine: { name, published, publishedP99, direct, directP99, ratio, clientMs, wallMs, wrk }
 * or { name, error }, plus { quiet } notes on the waits. Then, with wrk installed and wrkBatches > 0,
 * wrkBatches batches of wrkSeconds per path and engine in the same alternation: row.wrk is { published,
 * direct, ratio, publishedP50, directP50, requests } (medians; requests: median per batch) or { error }.
 */
export async function portPhase(engines, { batches = 10, requests = 100, wrkBatches = 10, wrkSeconds = 1, basePort = 18181, pids, checkpoint }) {
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
    const wrk = wrkBatches > 0 && haveWrk() ? await wrkRounds(measured.filter((e) => !rows.get(e).error), { rounds: wrkBatches, seconds: wrkSeconds, rows, pids, checkpoint }) : undefined
    if (wrk) quiet.push(`before each engine's pair of wrk batches: ${wrk.quiet}`)
    const result = engines.map((e) => {
      const r = rows.get(e)
      if (!r || r.error) return { kind: e.kind, name: e.name, error: r?.error ?? 'not measured' }
      const p99 = (xs) => (xs.length ? stats(xs).p99 : undefined)
      return {
        kind: e.kind, name: e.name,
        published: median(r.published), publishedP99: p99(r.lat.published),
        direct: median(r.direct), directP99: p99(r.lat.direct),
        ratio: median(r.ratios), ratios: r.ratios,
        clientMs: (r.cpu / clockTicks()) * 1000 / r.n,
        wallMs: 1000 / median([...r.published, ...r.direct]),
        ...(wrk?.rows.has(e) ? { wrk: wrk.rows.get(e) } : {}),
      }
    })
    return { rows: result, quiet }
  } finally {
    for (const { e, name } of live) await runAsync(e.cmd(['rm', '-f', name]))
    rmSync(tmp, { recursive: true, force: true })
  }
}
