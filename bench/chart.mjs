// PNG chart of the berth / Docker and berth / Podman median ratios per scenario, drawn by gnuplot
// (Debian's gnuplot-nox, installed on first use). Returns true, or the reason there is no chart.
import { writeFileSync, rmSync } from 'node:fs'
import { sh } from './lib.mjs'
import { medianOf } from './report.mjs'

export function chart(scenarios, pngPath) {
  if (sh('which', ['gnuplot']).status !== 0) {
    const r = sh('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'gnuplot-nox'], { DEBIAN_FRONTEND: 'noninteractive' })
    if (r.status !== 0) return `gnuplot-nox could not be installed: ${r.stderr.trim().split('\n').pop()}`
  }
  const rows = []
  for (const s of scenarios) {
    const berthCell = s.cells.find((c) => c.engine.id === 'docker-berth' && !c.na && !c.error && c.samples?.length)
    if (!berthCell) continue
    const b = medianOf({ cells: [berthCell] }, 'berth')
    const d = medianOf(s, 'docker')
    const p = medianOf(s, 'podman')
    if (d === undefined && p === undefined) continue
    const label = s.id
    rows.push(`"${label}" ${d ? (b / d).toFixed(3) : 'NaN'} ${p ? (b / p).toFixed(3) : 'NaN'}`)
  }
  if (rows.length === 0) return 'no scenario has both berth and a peer'
  const data = `${pngPath}.dat`
  writeFileSync(data, rows.join('\n') + '\n')
  const script = [
    'set terminal pngcairo size 1000,500 font ",10"',
    `set output "${pngPath}"`,
    'set title "berth (docker CLI → berthd) median time as a fraction of the peer\'s (lower is better)"',
    'set style data histograms', 'set style histogram clustered gap 1', 'set style fill solid 0.8 border -1',
    'set boxwidth 0.9', 'set yrange [0:*]', 'set grid ytics', 'set xtics rotate by -30',
    'set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1',
    `plot "${data}" using 2:xtic(1) title "berth / Docker", "" using 3 title "berth / Podman"`,
  ].join('\n')
  const r = sh('gnuplot', [], {}, { input: script })
  rmSync(data, { force: true })
  return r.status === 0 ? true : `gnuplot failed: ${r.stderr.trim().split('\n').pop()}`
}
