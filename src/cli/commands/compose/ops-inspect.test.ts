import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatEvent, imageRows, renderTop } from './ops-inspect.js'

test('renderTop() prints a block per container like Compose', () => {
  const out = renderTop([{
    id: 'x', name: 'p-web-1', service: 'web', titles: ['UID', 'PID', 'CMD'],
    processes: [['root', '4242', 'sleep 100'], ['root', '7', 'sh']],
  }])
  assert.equal(out, 'p-web-1\nUID    PID    CMD\nroot   4242   sleep 100   \nroot   7      sh          \n\n')
})

test('formatEvent() prints Compose\'s event line, or JSON with sorted keys', () => {
  const previous = process.env.TZ
  process.env.TZ = 'UTC'
  try {
    const event = { timeNano: 1700000000123456789n, service: 'web', container: 'abc', action: 'start', attributes: { name: 'p-web-1', image: 'busybox' } }
    assert.equal(formatEvent(event, false), '2023-11-14 22:13:20.123456 container start abc (image=busybox, name=p-web-1)\n\n')
    assert.equal(formatEvent(event, true),
      '{"action":"start","attributes":{"image":"busybox","name":"p-web-1"},"id":"abc","service":"web","time":"2023-11-14T22:13:20.123456789Z","type":"container"}\n')
  } finally {
    if (previous === undefined) delete process.env.TZ
    else process.env.TZ = previous
  }
})

test('imageRows() shows <none> for an image referenced by id', () => {
  assert.deepEqual(imageRows([{ containerName: 'p-web-1', id: 'sha256:' + 'a'.repeat(64), repository: '', tag: '', size: 4_260_000 }]),
    [['p-web-1', '<none>', '<none>', 'aaaaaaaaaaaa', '4.26MB']])
})
