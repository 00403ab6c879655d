// `--only a,b,c`: the scenarios to measure, by name or group, so a few can be re-measured side by side
// with the peers without the full run. `build` and `registry` are bench/build.mjs and bench/registry.mjs,
// which bench/run runs when they are named.
export const SCENARIOS = {
  'run-none': '`run --rm --network none busybox true` (and raw `crun run`)',
  'run-default': '`run --rm busybox true` on the default network',
  create: '`create busybox true`',
  'ps-0': '`ps -a` with no containers',
  'cli-version': '`--version`: client start-up alone',
  exec: '`exec c true` in a running container',
  'ps-100': '`ps -a` with 100 created containers',
  'ps-1000': '`ps -a` and `GET /containers/json?all=1` with 1000 created containers',
  'start-100': '100 `run -d` started concurrently; then memory per container and daemon CPU while they idle',
  logs: '`logs` of a 100 MB log',
  ports: 'published-port and direct requests/s (ab)',
  c2c: 'container to container requests/s (busybox wget)',
  'network-lifecycle': '`network create` + `run --rm --network` + `network rm`',
}
export const GROUPS = {
  start: ['run-none', 'run-default'],
  ps: ['ps-0', 'ps-100', 'ps-1000'],
  network: ['ports', 'c2c', 'network-lifecycle'],
}
export const OTHER_SCRIPTS = { build: 'bench/build.mjs: cold and cached build', registry: 'bench/registry.mjs: push and pull' }

export const usage = () => [
  'scenarios (for --only, comma-separated):',
  ...Object.entries(SCENARIOS).map(([k, v]) => `  ${k.padEnd(18)} ${v}`),
  ...Object.entries(GROUPS).map(([k, v]) => `  ${k.padEnd(18)} = ${v.join(',')}`),
  ...Object.entries(OTHER_SCRIPTS).map(([k, v]) => `  ${k.padEnd(18)} ${v} (bench/run only)`),
].join('\n')

/**
 * The set of bench.mjs scenario names that `only` (the --only value, or undefined for everything) selects;
 * build and registry are accepted and left out. Throws on an unknown name.
 */
export function selectScenarios(only) {
  if (only === undefined) return new Set(Object.keys(SCENARIOS))
  const picked = new Set()
  for (const name of only.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (SCENARIOS[name]) picked.add(name)
    else if (GROUPS[name]) for (const n of GROUPS[name]) picked.add(n)
    else if (!OTHER_SCRIPTS[name]) throw new Error(`unknown scenario "${name}"\n${usage()}`)
  }
  return picked
}
