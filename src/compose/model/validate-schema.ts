import type { ErrorObject } from 'ajv'
import { ComposeError } from './compose-error.js'
import { validate as validateCompiled } from './compose-spec-validator.js'

interface CompiledValidator {
  (data: unknown): boolean
  errors?: ErrorObject[] | null
}
const validate = validateCompiled as unknown as CompiledValidator

const TYPE_NAMES: Record<string, string> = { object: 'mapping', array: 'list', integer: 'integer', number: 'number', string: 'string', boolean: 'boolean', null: 'null' }

function dotted(instancePath: string): string {
  return instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).join('.')
}

/**
 * Validates one file's (interpolated) model against the Compose Specification schema. Throws a
 * ComposeError like Compose's: "validating <file>: services.web Additional property foo is not allowed".
 */
export function validateSchema(model: unknown, file: string): void {
  if (validate(model)) return
  const message = describe(validate.errors ?? [])
  throw new ComposeError(`validating ${file}: ${message.text}`, { file, path: message.path })
}

/** Picks the most specific ajv error (deepest path, not a oneOf/anyOf summary) and words it. */
export function describe(errors: ErrorObject[]): { text: string; path: string } {
  const specific = errors.filter((e) => !['oneOf', 'anyOf', 'if', 'not'].includes(e.keyword))
  const pool = specific.length > 0 ? specific : errors
  const depth = (e: ErrorObject) => e.instancePath.split('/').length + (e.keyword === 'additionalProperties' || e.keyword === 'required' ? 1 : 0)
  const best = pool.reduce((a, b) => (depth(b) > depth(a) ? b : a))
  const path = dotted(best.instancePath)
  const subject = path === '' ? '(root)' : path
  switch (best.keyword) {
    case 'additionalProperties':
      return { path, text: `${subject} Additional property ${(best.params as { additionalProperty: string }).additionalProperty} is not allowed` }
    case 'required':
      return { path, text: `${subject} ${(best.params as { missingProperty: string }).missingProperty} is required` }
    case 'type': {
      const types = new Set<string>()
      for (const e of pool) {
        if (e.keyword !== 'type' || e.instancePath !== best.instancePath) continue
        const t = (e.params as { type: string | string[] }).type
        for (const name of Array.isArray(t) ? t : [t]) types.add(TYPE_NAMES[name] ?? name)
      }
      return { path, text: `${subject} must be a ${[...types].join(' or ')}` }
    }
    case 'enum':
      return { path, text: `${subject} must be one of the following: ${((best.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}` }
    case 'pattern':
      return { path, text: `${subject} does not match pattern ${JSON.stringify((best.params as { pattern: string }).pattern)}` }
    case 'uniqueItems':
      return { path, text: `${subject} contains duplicate items` }
    default:
      return { path, text: `${subject} ${best.message ?? 'is invalid'}` }
  }
}
