// Renders the benchmark's markdown report from measured cells.
import { stats } from './lib.mjs'

const f1 = (x) => x.toFixed(1)
const ratio = (a, b) => (a !== undefined && b !== undefined ? `${(a / b).toFixed(2)}x` : '')

/** Median of one engine kind's successful cell in a scenario (the first such cell). */
export function medianOf(scenario, kind) {
  const c = scenario.cells.find((c) => c.engine.kind === kind && !c.na && !c.error && c.samples.length)
  return c ? stats(c.samples).median : undefined
}

/** One table: a row per client → engine; berth rows carry berth/Docker and berth/Podman ratios. */
export function timingTable(scenarios, withPeers) {
  let md = withPeers
    ? '| scenario | client → engine | min ms | median ms | p95 ms | berth / Docker | berth / Podman |\n|---|---|---|---|---|---|---|\n'
    : '| scenario | client → engine | min ms | median ms | p95 ms |\n|---|---|---|---|---|\n'
  for (const s of scenarios) {
    const docker = medianOf(s, 'docker')
    const podman = medianOf(s, 'podman')
    for (const c of s.cells) {
      let cols
      if (c.na) cols = ['n/a', 'n/a', 'n/a']
      else if (c.error) cols = ['failed', c.error.replaceAll('|', '\\|').slice(0, 120), '']
      else { const st = stats(c.samples); cols = [f1(st.min), f1(st.median), f1(st.p95)] }
      const peers = withPeers
        ? c.engine.kind === 'berth' && !c.na && !c.error ? [ratio(stats(c.samples).median, docker) || 'n/a', ratio(stats(c.samples).median, podman) || 'n/a'] : ['', '']
        : []
      const who = c.na ? `${c.engine.name} (${c.na})` : c.engine.name
      md += `| ${s.title} | ${who} | ${[...cols, ...peers].join(' | ')} |\n`
    }
  }
  return md
}

export function rssTable(rows) {
  let md = '| daemon | idle RSS 2 s after start, MB | idle RSS settled (12 s), MB | idle RSS after the run, MB |\n|---|---|---|---|\n'
  for (const r of rows) md += `| ${r.name} | ${r.start ?? 'n/a'} | ${r.settled ?? 'n/a'} | ${r.end ?? 'n/a'} |\n`
  return md
}

/** The issue's goals, checked against this run's medians. */
export function goalLines(byId, rss, ports = []) {
  const m = (id, kind, client) => {
    const s = byId[id]
    const c = s?.cells.find((c) => c.engine.kind === kind && (!client || c.engine.id === client) && !c.na && !c.error && c.samples.length)
    return c ? stats(c.samples).median : undefined
  }
  const lines = []
  const line = (what, a, b, goal) => {
    if (a !== undefined && b !== undefined) lines.push(`- ${what}: ${f1(a)} / ${f1(b)} ms = ${(a / b).toFixed(2)}x (goal ${goal})`)
  }
  for (const [client, label] of [['docker-berth', 'docker CLI → berthd'], ['berth-cli', 'berth CLI']]) {
    const b = m('run-none', 'berth', client)
    const bd = m('run-default', 'berth', client)
    line(`${label} \`run --rm\` (default network) vs Docker's`, bd, m('run-default', 'docker'), '≤ 0.33x')
    line(`${label} \`run --rm\` (default network) vs Podman's`, bd, m('run-default', 'podman'), '≤ 0.33x')
    // Not one of the issue's goals (its 1/3 is for `docker run --rm busybox true`, the default network), but
    // shown against the same ratio: Podman without a network is its fastest start.
    line(`${label} \`run --rm --network none\` vs Podman's`, b, m('run-none', 'podman'), 'none; for reference against ≤ 0.33x')
    line(`${label} \`run --rm --network none\` vs raw \`crun run\``, b, m('run-none', 'ref'), '≤ 10x')
  }
  line('docker CLI → berthd `exec` vs Docker', m('exec', 'berth', 'docker-berth'), m('exec', 'docker'), '≤ 0.5x')
  const ps1000 = m('ps-1000', 'berth', 'docker-berth')
  if (ps1000 !== undefined) lines.push(`- docker CLI → berthd \`ps -a\` with 1000 containers: ${f1(ps1000)} ms (goal < 50 ms)`)
  const berthPs1000 = m('ps-1000', 'berth', 'berth-cli')
  if (berthPs1000 !== undefined) lines.push(`- berth CLI \`ps -a\` with 1000 containers (curl from berthd's rendered table): ${f1(berthPs1000)} ms (goal < 50 ms); node path: ${m('ps-1000', 'berth', 'berth-node-cli') === undefined ? 'n/a' : f1(m('ps-1000', 'berth', 'berth-node-cli'))} ms`)
  const http1000 = m('ps-1000-http', 'berth')
  if (http1000 !== undefined) lines.push(`- of which berthd's answer (\`GET /containers/json?all=1\` with curl): ${f1(http1000)} ms; dockerd's: ${m('ps-1000-http', 'docker') === undefined ? 'n/a' : f1(m('ps-1000-http', 'docker'))} ms`)
  line('berth CLI `--version` (start-up) vs docker CLI', m('cli-version', 'berth', 'berth-cli'), m('cli-version', 'docker'), 'small and lazy-loaded')
  const port = ports.find((r) => r.kind === 'berth' && r.ratio !== undefined)
  if (port) lines.push(`- berthd published port / container address (ab, median of per-batch ratios): ${(port.ratio * 100).toFixed(0)} % (goal ≥ 90 %)`)
  const wrk = ports.find((r) => r.kind === 'berth' && r.wrk?.ratio !== undefined)?.wrk
  if (wrk) lines.push(`- berthd published port / container address (wrk, median of per-batch ratios): ${(wrk.ratio * 100).toFixed(0)} % (goal ≥ 90 %)`)
  for (const [key, when] of [['start', '2 s after start'], ['settled', 'settled, 12 s after start']]) {
    const berthd = rss.find((r) => r.kind === 'berth')?.[key]
    const dockerd = rss.find((r) => r.kind === 'docker')?.[key]
    if (berthd !== undefined && dockerd !== undefined) {
      lines.push(`- berthd idle RSS vs dockerd + containerd (${when}): ${berthd} / ${dockerd} MB = ${(Number(berthd) / Number(dockerd)).toFixed(2)}x (goal ≤ 0.5x)`)
    }
  }
  return lines
}

/** Memory per running container and idle daemon CPU, one row per engine. */
export function scaleTable(rows) {
  const f = (x, d = 1) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(d))
  let md = '| engine | monitor processes | monitor RSS per container, MB | daemon RSS growth per container, MB | daemon CPU while idle, % of a core |\n|---|---|---|---|---|\n'
  for (const r of rows) md += `| ${r.name} | ${r.monitors} | ${f(r.monitorMbPer, 2)} | ${f(r.daemonGrowthMbPer, 3)} | ${f(r.cpu, 2)} |\n`
  return md
}

/** Requests per second through the published port and straight to the container, per engine. */
export function portTable(rows) {
  const rate = (rps, p99) => (rps === undefined ? 'n/a' : `${rps.toFixed(0)} (${p99.toFixed(2)})`)
  let md = '| engine | via 127.0.0.1:port, req/s (p99 ms) | to the container address, req/s (p99 ms) | published / direct | ab CPU per request, ms (wall ms) | container to container (busybox wget), req/s |\n|---|---|---|---|---|---|\n'
  for (const r of rows) {
    const c2c = r.c2cError ? `failed: ${r.c2cError.replaceAll('|', '\\|').slice(0, 80)}` : r.c2c ? r.c2c.toFixed(0) : 'n/a'
    if (r.error) md += `| ${r.name} | failed: ${r.error.replaceAll('|', '\\|').slice(0, 100)} | | | | ${c2c} |\n`
    else {
      md += `| ${r.name} | ${rate(r.published, r.publishedP99)} | ${rate(r.direct, r.directP99)} | ${r.ratio === undefined ? 'n/a' : `${(r.ratio * 100).toFixed(0)} %`} | ` +
        `${r.clientMs === undefined ? 'n/a' : `${r.clientMs.toFixed(3)} (${r.wallMs.toFixed(3)})`} | ${c2c} |\n`
    }
  }
  return md
}

/** The wrk batches of the published-port phase, per engine (rows without .wrk are left out; none: ''). */
export function wrkTable(rows) {
  const measured = rows.filter((r) => r.wrk)
  if (measured.length === 0) return ''
  const rate = (rps, p50) => (rps === undefined ? 'n/a' : `${rps.toFixed(0)} (${p50 === undefined ? 'n/a' : p50.toFixed(2)})`)
  let md = '| engine | via 127.0.0.1:port, req/s (p50 ms) | to the container address, req/s (p50 ms) | published / direct | requests per batch |\n|---|---|---|---|---|\n'
  for (const r of measured) {
    const w = r.wrk
    if (w.error) md += `| ${r.name} | failed: ${w.error.replaceAll('|', '\\|').slice(0, 100)} | | | |\n`
    else md += `| ${r.name} | ${rate(w.published, w.publishedP50)} | ${rate(w.direct, w.directP50)} | ${w.ratio === undefined ? 'n/a' : `${(w.ratio * 100).toFixed(0)} %`} | ${w.requests ?? 'n/a'} |\n`
  }
  return md
}

/** The per-batch published / direct ratios behind a table's median, per engine, in the order measured ('' when none). */
export function batchRatios(rows, pick) {
  const lines = rows.filter((r) => pick(r)?.ratios?.length).map((r) => `- ${r.name}: ${pick(r).ratios.map((x) => x.toFixed(2)).join(' ')}`)
  return lines.length ? `\nPer-batch published / direct ratios, in the order measured:\n\n${lines.join('\n')}\n` : ''
}
