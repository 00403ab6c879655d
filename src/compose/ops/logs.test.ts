import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { encodeFrame } from '../../client/index.js'
import { LogPrinter } from './log-printer.js'
import { projectLogs } from './logs.js'
import { fakeClient, fakeContainer } from './testing.js'

test('projectLogs() hands every container\'s lines (stdout and stderr) to the consumer, names registered first', async () => {
  const containers = [fakeContainer('p', 'worker', 1, { State: 'exited' }), fakeContainer('p', 'web', 1)]
  const output: Record<string, Buffer> = {
    worker1: Buffer.concat([encodeFrame(1, 'job 1\njob'), encodeFrame(2, ' 2 failed\n'), encodeFrame(1, 'no newline')]),
    web1: encodeFrame(1, 'GET /\n'),
  }
  const requests: unknown[] = []
  const { client } = fakeClient(containers, {
    containerInspect: () => ({ value: { Config: { Tty: false }, State: { Running: false, FinishedAt: '0001-01-01T00:00:00Z', StartedAt: '' } } }),
    containerLogs: (id: string, options: unknown) => {
      requests.push(options)
      return { stream: Readable.from([output[id.replace(/0+$/, '')]!]), multiplexed: true }
    },
  })
  const printer = new LogPrinter({ color: false, prefix: true })
  const lines: string[] = []
  const registered: string[] = []
  await projectLogs(client, 'p', {
    register: (n) => {
      registered.push(n)
      printer.register(n)
    },
    log: (n, l) => lines.push(printer.line(n, l)),
    status: () => assert.fail('no status without follow'),
  }, { tail: '10' })
  assert.deepEqual(registered, ['web-1', 'worker-1'])
  assert.deepEqual(lines.sort(), ['web-1     | GET /\n', 'worker-1  | job 1\n', 'worker-1  | job 2 failed\n', 'worker-1  | no newline\n'])
  assert.deepEqual(requests.map((r) => (r as { tail: string }).tail), ['10', '10'])
})
