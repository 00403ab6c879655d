import { Ajv } from 'ajv'
import standaloneModule from 'ajv/dist/standalone/index.js'

type Standalone = (ajv: Ajv, validate: unknown) => string

/** Deep equality for the generated code's enum/const/uniqueItems checks (replaces ajv's runtime require). */
const EQUAL_SOURCE = `function composeSpecEqual(a, b) {
  if (a === b) return true
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    if (Array.isArray(a) !== Array.isArray(b)) return false
    const ka = Object.keys(a), kb = Object.keys(b)
    if (ka.length !== kb.length) return false
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && composeSpecEqual(a[k], b[k]))
  }
  return a !== a && b !== b
}`

/**
 * The TypeScript source of compose-spec-validator.ts: the Compose Specification schema compiled
 * ahead of time by ajv (compiling it at run time costs 0.5-2 s on every compose command).
 */
export function validatorSource(schemaJson: string): string {
  const { $schema: _ignored, ...schema } = JSON.parse(schemaJson) as Record<string, unknown>
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, code: { source: true, esm: true } })
  const standalone = ((standaloneModule as unknown as { default?: Standalone }).default ?? standaloneModule) as unknown as Standalone
  const code = standalone(ajv, ajv.compile(schema))
    .replace(/const (\w+) = require\("ajv\/dist\/runtime\/equal"\)\.default;/g, 'const $1 = composeSpecEqual;')
  const body = code.replace('export const validate = validate0;export default validate0;', '')
  if (body.includes('require(') || body.includes('export ') || body === code) {
    throw new Error('unexpected ajv standalone output: regenerate by hand and check validate-schema.ts')
  }
  // The generated code builds large schema literals and regexps: keep it inside a function run on
  // first use, so that loading the CLI bundle does not pay for it.
  return [
    '// @ts-nocheck',
    '/* eslint-disable */',
    '// Generated from compose-spec.json by generate-validator.ts (ajv standalone code); do not edit.',
    'let compiled',
    '/** Validates a Compose model against the schema; errors (ajv ErrorObjects) land in validate.errors. */',
    'export function validate(data) {',
    '  compiled ??= build()',
    '  const ok = compiled(data)',
    '  validate.errors = compiled.errors',
    '  return ok',
    '}',
    'function build() {',
    EQUAL_SOURCE,
    body,
    'return validate0',
    '}',
    '',
  ].join('\n')
}
