import { TemplateError, lineOf, parseTemplate, type BlockNode, type Command, type Operand, type ParsedTemplate, type Pipe, type TemplateNode } from './template-parse.js'
import { basicFunctions, type TemplateFunction } from './template-funcs.js'
import { LENIENT, TYPE_NAME, goTypeName, isPlainObject, isStruct, isTrue, printValue } from './template-values.js'

export { templateObject, type TemplateObject } from './template-values.js'

export interface ExecuteOptions {
  funcs?: Record<string, TemplateFunction>
  /**
   * docker inspect's raw fallback (missingkey=error): a missing key in a JSON object that looks
   * like a Go struct (all keys capitalised) is an error; in other maps it prints "<no value>".
   */
  strictStructs?: boolean
}

/** Parses and executes in one go; see parseTemplate() for the supported syntax. */
export function renderTemplate(source: string, data: unknown, options: ExecuteOptions = {}): string {
  return executeTemplate(parseTemplate(source), data, options)
}

export function executeTemplate(template: ParsedTemplate, data: unknown, options: ExecuteOptions = {}): string {
  const fast = executeFieldsOnly(template, data)
  if (fast !== undefined) return fast
  const state = new ExecState(template.source, { ...basicFunctions, ...options.funcs }, options.strictStructs ?? false)
  state.vars.push({ name: '$', value: data })
  let out = ''
  state.walk(template.nodes, data, (s) => (out += s))
  return out
}

/** Text and `{{.Field}}` actions, in order; null when the template has anything else. */
export type FieldsOnlyPlan = ({ text: string } | { field: string })[] | null

const fieldsOnlyPlans = new WeakMap<ParsedTemplate, FieldsOnlyPlan>()

/** The template as text and single-field actions (cached per template), or null if it is anything more. */
export function fieldsOnlyPlan(template: ParsedTemplate): FieldsOnlyPlan {
  let plan = fieldsOnlyPlans.get(template)
  if (plan !== undefined) return plan
  plan = []
  for (const node of template.nodes) {
    if (node.type === 'text') {
      plan.push({ text: node.text })
      continue
    }
    const cmd = node.type === 'action' && node.pipe.decl.length === 0 && node.pipe.cmds.length === 1 ? node.pipe.cmds[0]! : undefined
    const operand = cmd?.args.length === 1 ? cmd.args[0]! : undefined
    if (operand?.type !== 'field' || operand.names.length !== 1) {
      plan = null
      break
    }
    plan.push({ field: operand.names[0]! })
  }
  fieldsOnlyPlans.set(template, plan)
  return plan
}

/**
 * The common case of table rows (`{{.ID}}\t{{.Image}}...` over an object that has every field)
 * without the general machinery: what ExecState would print, or undefined to let it run (any
 * other template, or a field the object lacks, whose outcome depends on the object's kind).
 */
function executeFieldsOnly(template: ParsedTemplate, data: unknown): string | undefined {
  const plan = fieldsOnlyPlan(template)
  if (plan === null || !isPlainObject(data)) return undefined
  for (const part of plan) if ('field' in part && !Object.prototype.hasOwnProperty.call(data, part.field)) return undefined
  let out = ''
  for (const part of plan) {
    if ('text' in part) {
      out += part.text
      continue
    }
    const value = data[part.field]
    out += printValue(typeof value === 'function' ? (value as TemplateFunction)() : value)
  }
  return out
}

const NO_FINAL = Symbol('noFinal')

class ExecState {
  readonly vars: { name: string; value: unknown }[] = []

  constructor(
    private readonly source: string,
    private readonly funcs: Record<string, TemplateFunction>,
    private readonly strictStructs: boolean,
  ) {}

  walk(nodes: TemplateNode[], dot: unknown, write: (s: string) => void): void {
    for (const node of nodes) {
      const mark = this.vars.length
      switch (node.type) {
        case 'text':
          write(node.text)
          break
        case 'action': {
          const value = this.pipe(node.pipe, dot)
          if (node.pipe.decl.length === 0) write(printValue(value))
          continue // variables declared by an action live until the end of the enclosing block
        }
        case 'if':
        case 'with': {
          const value = this.pipe(node.pipe, dot)
          if (isTrue(value)) this.walk(node.list, node.type === 'with' ? value : dot, write)
          else if (node.elseList) this.walk(node.elseList, dot, write)
          break
        }
        case 'range':
          this.range(node, dot, write)
          break
      }
      this.vars.length = mark
    }
  }

  private range(node: BlockNode, dot: unknown, write: (s: string) => void): void {
    const decl = node.pipe.decl
    const value = this.pipe({ ...node.pipe, decl: [] }, dot)
    let entries: [unknown, unknown][] = []
    if (Array.isArray(value)) entries = value.map((v, i) => [i, v])
    else if (typeof value === 'number' && Number.isInteger(value)) entries = Array.from({ length: Math.max(value, 0) }, (_, i) => [i, i])
    else if (isPlainObject(value) && !isStruct(value)) entries = Object.keys(value).sort().map((k) => [k, value[k]])
    else if (value !== null && value !== undefined) this.fail(node.pos, node.pipe.cmds[0]?.text ?? '', `range can't iterate over ${printValue(value)}`)
    if (entries.length === 0) {
      if (node.elseList) this.walk(node.elseList, dot, write)
      return
    }
    for (const [key, element] of entries) {
      const mark = this.vars.length
      if (decl.length === 1) this.vars.push({ name: decl[0]!, value: element })
      if (decl.length >= 2) this.vars.push({ name: decl[0]!, value: key }, { name: decl[1]!, value: element })
      this.walk(node.list, element, write)
      this.vars.length = mark
    }
  }

  private pipe(pipe: Pipe, dot: unknown): unknown {
    let value: unknown = NO_FINAL
    for (const cmd of pipe.cmds) value = this.command(cmd, dot, value)
    for (const name of pipe.decl) this.vars.push({ name, value })
    return value
  }

  private command(cmd: Command, dot: unknown, final: unknown): unknown {
    const [first, ...rest] = cmd.args
    const args = (): unknown[] => {
      const values = rest.map((a) => this.operand(a, dot))
      if (final !== NO_FINAL) values.push(final)
      return values
    }
    switch (first!.type) {
      case 'identifier': {
        const fn = this.funcs[first.name]
        if (!fn) this.fail(first.pos, cmd.text, `function "${first.name}" not defined`)
        try {
          return fn!(...args())
        } catch (err) {
          if (err instanceof TemplateError) throw err
          this.fail(first.pos, cmd.text, `error calling ${first.name}: ${(err as Error).message}`)
        }
        break
      }
      case 'field':
        return this.chain(first, dot, first.names, args())
      case 'variable':
        return this.chain(first, this.variable(first), first.names, args())
      case 'pipe':
        return this.chain(first, this.pipe(first.pipe, dot), first.names, args())
      default:
        if (rest.length > 0 || final !== NO_FINAL) this.fail(first!.pos, cmd.text, `can't give argument to non-function ${first!.text}`)
        return this.operand(first!, dot)
    }
    return undefined
  }

  private operand(operand: Operand, dot: unknown): unknown {
    switch (operand.type) {
      case 'dot': return dot
      case 'string': return operand.value
      case 'number': return operand.value
      case 'bool': return operand.value
      case 'nil': return null
      case 'field': return this.chain(operand, dot, operand.names, [])
      case 'variable': return this.chain(operand, this.variable(operand), operand.names, [])
      case 'pipe': return this.chain(operand, this.pipe(operand.pipe, dot), operand.names, [])
      case 'identifier': {
        const fn = this.funcs[operand.name]
        return fn ? fn() : undefined
      }
    }
  }

  private variable(operand: Extract<Operand, { type: 'variable' }>): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === operand.name) return this.vars[i]!.value
    return this.fail(operand.pos, operand.text, `undefined variable: ${operand.name}`)
  }

  /** Evaluates .A.B.C on `receiver`; arguments go to the last element if it is a method. */
  private chain(node: Operand, receiver: unknown, names: string[], args: unknown[]): unknown {
    if (names.length === 0) {
      if (args.length > 0) this.fail(node.pos, node.text, `can't give argument to non-function ${node.text}`)
      return receiver
    }
    let value = receiver
    names.forEach((name, i) => {
      value = this.field(node, value, name, i === names.length - 1 ? args : [])
    })
    return value
  }

  private field(node: Operand, receiver: unknown, name: string, args: unknown[]): unknown {
    if (receiver === null || receiver === undefined) return this.fail(node.pos, node.text, `nil pointer evaluating interface {}.${name}`)
    if (isPlainObject(receiver)) {
      const typeName = (receiver as Record<symbol, unknown>)[TYPE_NAME] as string | undefined
      if (Object.prototype.hasOwnProperty.call(receiver, name)) {
        const value = receiver[name]
        if (typeof value === 'function') return (value as TemplateFunction)(...args)
        if (args.length > 0) this.fail(node.pos, node.text, `${name} is not a method but has arguments`)
        return value
      }
      if (typeName !== undefined && !(receiver as Record<symbol, unknown>)[LENIENT]) {
        return this.fail(node.pos, node.text, `can't evaluate field ${name} in type ${typeName}`)
      }
      if (typeName === undefined && this.strictStructs && isStruct(receiver)) {
        return this.fail(node.pos, node.text, `map has no entry for key "${name}"`)
      }
      return undefined
    }
    return this.fail(node.pos, node.text, `can't evaluate field ${name} in type ${goTypeName(receiver)}`)
  }

  private fail(pos: number, text: string, message: string): never {
    const { line, col } = lineOf(this.source, pos)
    throw new TemplateError(`template: :${line}:${col}: executing "" at <${text}>: ${message}`)
  }
}

