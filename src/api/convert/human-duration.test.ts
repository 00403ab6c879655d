import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ContainerState } from '../../engine/containers/index.js'
import { containerStatusText, humanDuration } from './human-duration.js'

const s = 1000
const h = 3600 * s

test('humanDuration() uses go-units wording at each boundary', () => {
  const cases: Array<[number, string]> = [
    [500, 'Less than a second'], [1 * s, '1 second'], [59 * s, '59 seconds'], [60 * s, 'About a minute'],
    [119 * s, 'About a minute'], [120 * s, '2 minutes'], [59 * 60 * s, '59 minutes'], [60 * 60 * s, 'About an hour'],
    [90 * 60 * s, '2 hours'], [47 * h, '47 hours'], [48 * h, '2 days'], [14 * 24 * h, '2 weeks'],
    [60 * 24 * h, '2 months'], [2 * 365 * 24 * h, '2 years'],
  ]
  for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, `${ms} ms`)
})

const base: ContainerState = {
  status: 'created', running: false, paused: false, restarting: false, oomKilled: false, dead: false, pid: 0,
  exitCode: 0, error: '', startedAt: '0001-01-01T00:00:00Z', finishedAt: '0001-01-01T00:00:00Z',
}

test('containerStatusText() renders created, up, paused and exited like docker ps', () => {
  const now = new Date('2024-05-01T10:00:10Z')
  assert.equal(containerStatusText(base, now), 'Created')
  const running = { ...base, status: 'running' as const, running: true, startedAt: '2024-05-01T10:00:07.5Z' }
  assert.equal(containerStatusText(running, now), 'Up 2 seconds')
  assert.equal(containerStatusText({ ...running, status: 'paused', paused: true }, now), 'Up 2 seconds (Paused)')
  const exited = { ...base, status: 'exited' as const, exitCode: 3, startedAt: '2024-05-01T09:00:00Z', finishedAt: '2024-05-01T09:58:00Z' }
  assert.equal(containerStatusText(exited, now), 'Exited (3) 2 minutes ago')
})
