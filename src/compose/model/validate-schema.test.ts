import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ComposeError } from './compose-error.js'
import { validateSchema } from './validate-schema.js'

function message(model: unknown): string {
  try {
    validateSchema(model, '/p/compose.yaml')
  } catch (err) {
    assert.ok(err instanceof ComposeError)
    return err.message
  }
  return 'valid'
}

test('validateSchema() accepts a valid model', () => {
  assert.equal(message({ services: { web: { image: 'busybox', ports: ['80:80'], environment: { A: '1' }, 'x-any': 1 } }, 'x-top': {} }), 'valid')
})

test('validateSchema() words errors like Compose and names the file', () => {
  assert.equal(message({ services: { web: { image: 'busybox', foo: 1 } } }), 'validating /p/compose.yaml: services.web Additional property foo is not allowed')
  assert.equal(message({ services: { web: { image: 'busybox', ports: 80 } } }), 'validating /p/compose.yaml: services.web.ports must be a list')
  assert.equal(message({ services: { web: { image: 'busybox', environment: 5 } } }), 'validating /p/compose.yaml: services.web.environment must be a mapping or list')
  assert.equal(message({ services: { web: { image: 'busybox', networks: { n: { aliases: 'x' } } } } }), 'validating /p/compose.yaml: services.web.networks.n.aliases must be a list')
  assert.equal(message({ services: { web: { image: 'busybox', restart: ['no'] } } }), 'validating /p/compose.yaml: services.web.restart must be a string')
  assert.equal(message({ volumes: { v: { driver: 1 } } }), 'validating /p/compose.yaml: volumes.v.driver must be a string')
})
