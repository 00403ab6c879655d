import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { validatorSource } from './validator-source.js'

const src = (name: string) => new URL(`../../../../src/compose/model/${name}`, import.meta.url)

test('compose-spec-validator.ts is up to date with compose-spec.json', () => {
  const expected = validatorSource(readFileSync(src('compose-spec.json'), 'utf8'))
  assert.ok(readFileSync(src('compose-spec-validator.ts'), 'utf8') === expected,
    'regenerate it: npx tsc -p tsconfig.json && node dist/src/compose/model/generate-validator.js')
})
