import { Command, InvalidArgumentError, Option } from 'commander'
import { CliError } from './render/errors.js'
import type { OptionSpec } from './command-spec.js'
import type { FlagHelp } from './help.js'

/**
 * commander's Command with docker's behaviour: pflag-style error messages and exit status 125
 * for flag errors, `--flag=true|false` for booleans, and help text from `helpText`.
 */
export class BerthCommand extends Command {
  /** Renders this command's help; set by the program builder. */
  helpText: (() => string) | undefined
  /** "Usage:" line shown in flag errors, e.g. "berth run [OPTIONS] IMAGE [COMMAND] [ARG...]". */
  useLine = ''
  /** Option parsing ends at the first operand (subcommand name, or IMAGE for run/create). */
  stopAtOperand = false
  /** Help entries for this command's visible flags. */
  readonly flagHelp: FlagHelp[] = []

  override createCommand(name?: string): BerthCommand {
    return new BerthCommand(name)
  }

  override helpInformation(): string {
    return this.helpText ? this.helpText() : super.helpInformation()
  }

  override error(message: string, errorOptions?: { code?: string; exitCode?: number }): never {
    throw new CliError(
      `${pflagMessage(message, errorOptions?.code)}\n\nUsage:  ${this.useLine}\n\nRun '${commandPath(this)} --help' for more information`,
      125,
    )
  }

  override parseOptions(argv: string[]): { operands: string[]; unknown: string[] } {
    return super.parseOptions(normalizeBooleanValues(this, argv))
  }

  /**
   * Adds an option described docker-style; see OptionSpec. With `register` false it only goes
   * into the help text (an option the command line does not use: see optionsUsedBy()).
   */
  addSpecOption(spec: OptionSpec, register = true): this {
    const [short, long] = splitFlags(spec.flags)
    if (register) {
      const names = `${short ? `-${short}, ` : ''}--${long}`
      const option = new Option(spec.type ? `${names} <${spec.type}>` : names, spec.description)
      if (spec.repeatable) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value])
      else if (spec.int) option.argParser(parseIntFlag)
      if (spec.default !== undefined) option.default(spec.default)
      if (spec.hidden) option.hideHelp()
      this.addOption(option)
    }
    if (!spec.hidden) this.flagHelp.push({ short, long, type: spec.type, description: spec.description })
    return this
  }
}

export function commandPath(cmd: Command): string {
  const names: string[] = []
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name())
  return names.join(' ')
}

function splitFlags(flags: string): [string | undefined, string] {
  const m = /^(?:-(\w),\s*)?--([\w-]+)$/.exec(flags.trim())
  if (!m) throw new Error(`bad flag spec: ${flags}`)
  return [m[1], m[2]!]
}

function parseIntFlag(value: string): number {
  if (!/^[-+]?\d+$/.test(value)) throw new InvalidArgumentError(`strconv.ParseInt: parsing "${value}": invalid syntax`)
  return Number(value)
}

/** Rewrites commander's messages in pflag's words. */
export function pflagMessage(message: string, code: string | undefined): string {
  const text = message.replace(/^error: /, '')
  let m: RegExpExecArray | null
  if (code === 'commander.unknownOption' && (m = /unknown option '([^']*)'/.exec(text))) {
    const flag = m[1]!
    if (flag.startsWith('--')) return `unknown flag: ${flag.split('=')[0]}`
    return `unknown shorthand flag: '${flag[1] ?? ''}' in ${flag}`
  }
  if (code === 'commander.optionMissingArgument' && (m = /option '([^']*)' argument missing/.exec(text))) {
    return `flag needs an argument: --${/--([\w-]+)/.exec(m[1]!)?.[1] ?? m[1]}`
  }
  if (code === 'commander.invalidArgument' && (m = /option '([^']*)' argument '([^']*)' is invalid\.\s*(.*)$/s.exec(text))) {
    return `invalid argument "${m[2]}" for "${m[1]!.replace(/\s*<[^>]*>$/, '')}" flag: ${m[3]}`
  }
  return text
}

const TRUE_VALUES = new Set(['1', 't', 'T', 'true', 'TRUE', 'True'])
const FALSE_VALUES = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False'])

/**
 * pflag accepts `--rm=false` and `--detach=true`; commander does not. Rewrites them to `--rm`,
 * `--no-x` (when defined) or nothing (false is the default), walking argv the way the parser
 * will so that option values and operands are left alone.
 */
export function normalizeBooleanValues(cmd: BerthCommand, input: string[]): string[] {
  let argv = input
  const find = (flag: string): Option | undefined => cmd.options.find((o) => o.long === flag || o.short === flag)
  const takesValue = (o: Option): boolean => o.required || o.optional
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      out.push(...argv.slice(i))
      break
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=')
      const name = eq === -1 ? arg : arg.slice(0, eq)
      const option = find(name)
      if (option && eq !== -1 && !takesValue(option)) {
        const value = arg.slice(eq + 1)
        if (TRUE_VALUES.has(value)) out.push(name)
        else if (FALSE_VALUES.has(value)) {
          const negated = option.negate ? find(`--${name.slice(5)}`) : find(`--no-${name.slice(2)}`)
          if (negated) out.push(negated.long!)
        } else out.push(arg)
        continue
      }
      out.push(arg)
      if (option && eq === -1 && takesValue(option) && i + 1 < argv.length) out.push(argv[++i]!)
      continue
    }
    const shortValue = /^-(\w)=(.*)$/s.exec(arg)
    if (shortValue) {
      // pflag's "-n=5" and "-d=false"; commander would read "=5" as the value.
      const option = find(`-${shortValue[1]}`)
      if (option && !takesValue(option)) {
        i--
        argv = [...argv.slice(0, i + 1), `${option.long}=${shortValue[2]}`, ...argv.slice(i + 2)]
        continue
      }
      out.push(`-${shortValue[1]}`, shortValue[2]!)
      continue
    }
    if (arg.startsWith('-') && arg.length > 1) {
      out.push(arg)
      for (let j = 1; j < arg.length; j++) {
        const option = find(`-${arg[j]}`)
        if (!option) break
        if (takesValue(option)) {
          if (j === arg.length - 1 && i + 1 < argv.length) out.push(argv[++i]!)
          break
        }
      }
      continue
    }
    if (cmd.stopAtOperand) {
      out.push(...argv.slice(i))
      break
    }
    out.push(arg)
  }
  return out
}
