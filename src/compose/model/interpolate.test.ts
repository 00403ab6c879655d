import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ComposeError } from './compose-error.js'
import { interpolateTree, substitute, TemplateError } from './interpolate.js'

const env: Record<string, string> = { SET: 'value', EMPTY: '', TAG: '1.36' }
const lookup = (n: string) => env[n]

test('substitute() expands $VAR and ${VAR}', () => {
  assert.equal(substitute('a $SET b ${SET}c', lookup), 'a value b valuec')
  assert.equal(substitute('busybox:${TAG}', lookup), 'busybox:1.36')
})

test('substitute() applies default, required and alternative operators', () => {
  assert.equal(substitute('${UNSET:-dflt}', lookup), 'dflt')
  assert.equal(substitute('${EMPTY:-dflt}', lookup), 'dflt')
  assert.equal(substitute('${EMPTY-dflt}', lookup), '')
  assert.equal(substitute('${UNSET-dflt}', lookup), 'dflt')
  assert.equal(substitute('${SET:+alt}', lookup), 'alt')
  assert.equal(substitute('${EMPTY:+alt}', lookup), '')
  assert.equal(substitute('${EMPTY+alt}', lookup), 'alt')
  assert.equal(substitute('${UNSET+alt}', lookup), '')
  assert.equal(substitute('${SET:?boom}', lookup), 'value')
  assert.throws(() => substitute('${UNSET:?need it}', lookup), (e: TemplateError) => e.message === 'required variable UNSET is missing a value: need it')
  assert.throws(() => substitute('${EMPTY:?}', lookup), /required variable EMPTY is missing a value$/)
  assert.equal(substitute('${EMPTY?x}', lookup), '')
  assert.throws(() => substitute('${UNSET?x}', lookup), /required variable UNSET/)
})

test('substitute() nests defaults and honours $$', () => {
  assert.equal(substitute('${UNSET:-${ALSO_UNSET:-${TAG}}}', lookup), '1.36')
  assert.equal(substitute('$$SET costs $$5', lookup), '$SET costs $5')
  assert.equal(substitute('${UNSET:-a$$b}', lookup), 'a$b')
})

test('substitute() reports unset variables and rejects bad templates', () => {
  const unset: string[] = []
  assert.equal(substitute('x${NOPE}y$NOPE2', lookup, (n) => unset.push(n)), 'xy')
  assert.deepEqual(unset, ['NOPE', 'NOPE2'])
  assert.throws(() => substitute('cost $ 5', lookup), TemplateError)
  assert.throws(() => substitute('${SET', lookup), TemplateError)
  assert.throws(() => substitute('${1A}', lookup), TemplateError)
})

test('interpolateTree() interpolates values not keys and names the path in errors', () => {
  const out = interpolateTree({ services: { '$SET': { image: 'x:${TAG}', ports: ['${UNSET:-80}:80'] } } }, { lookup })
  assert.deepEqual(out, { services: { '$SET': { image: 'x:1.36', ports: ['80:80'] } } })
  assert.throws(
    () => interpolateTree({ services: { web: { image: '${IMG:?set IMG}' } } }, { lookup, file: '/p/compose.yaml' }),
    (e: ComposeError) => e instanceof ComposeError && e.message === '/p/compose.yaml: error while interpolating services.web.image: required variable IMG is missing a value: set IMG',
  )
  assert.throws(
    () => interpolateTree({ services: { web: { command: ['echo', '$ 1'] } } }, { lookup }),
    /invalid interpolation format for services\.web\.command\[1\]/,
  )
})
