import type { CliContext } from './context.js'

/** How many positional arguments a command takes, with docker's wording when violated. */
export type ArgRule =
  | { kind: 'none' }
  | { kind: 'min'; count: number }
  | { kind: 'exact'; count: number }
  | { kind: 'max'; count: number }
  | { kind: 'range'; min: number; max: number }

export interface OptionSpec {
  /** Short and long names, as docker shows them: "-e, --env" or "--rm". */
  flags: string
  /** pflag type shown in help ("string", "list", "int", "filter"...); none for booleans. */
  type?: string
  description: string
  /** Values repeat and accumulate (docker's list, filter and map flags). */
  repeatable?: boolean
  /** Parse the value as an integer (docker's int flags). */
  int?: boolean
  default?: unknown
  hidden?: boolean
}

export type CommandHandler = (ctx: CliContext, args: string[], options: Record<string, unknown>) => Promise<number | void>

export interface CommandSpec {
  name: string
  /** Other names under the same parent (`container ls` is also `list` and `ps`). */
  aliases?: string[]
  /** The usage after the command path: "[OPTIONS] IMAGE [COMMAND] [ARG...]". */
  usage: string
  description: string
  /** docker's "Aliases:" help line, with {bin} for the program name. */
  helpAliases?: string
  args: ArgRule
  /** false stops option parsing at the first argument (run/create: flags after IMAGE belong to COMMAND). */
  interspersed?: boolean
  /** -h means --hostname, so help is only --help (run/create). */
  hostnameFlag?: boolean
  options: OptionSpec[]
  /** Loaded lazily so `berth --help` does not evaluate every command. */
  load: () => Promise<CommandHandler>
}

export interface GroupSpec {
  name: string
  description: string
  commands: CommandSpec[]
  /**
   * The group's own flags (cobra's persistent flags, e.g. `compose -f x.yml -p name`): accepted
   * before the subcommand and, unless the subcommand has a flag of the same name, after it too.
   * Handlers receive them merged into `options` (a subcommand's own value wins; repeatable values
   * from both places add up).
   */
  options?: OptionSpec[]
}

export const pluralize = (word: string, count: number): string => (count === 1 ? word : `${word}s`)

/** docker's cli.RequiresMinArgs/ExactArgs/NoArgs...: undefined when `count` is allowed. */
export function checkArgs(rule: ArgRule, count: number, commandPath: string, useLine: string): string | undefined {
  const bin = commandPath.split(' ')[0]
  const tail = (verb: 'See' | 'Run'): string => `\n\nUsage:  ${useLine}\n\n${verb} '${commandPath} --help' for more information`
  switch (rule.kind) {
    case 'none':
      return count === 0 ? undefined : `${bin}: '${commandPath}' accepts no arguments${tail('Run')}`
    case 'min':
      return count >= rule.count ? undefined
        : `${bin}: '${commandPath}' requires at least ${rule.count} ${pluralize('argument', rule.count)}${tail('See')}`
    case 'exact':
      return count === rule.count ? undefined
        : `${bin}: '${commandPath}' requires ${rule.count} ${pluralize('argument', rule.count)}${tail('Run')}`
    case 'max':
      return count <= rule.count ? undefined
        : `${bin}: '${commandPath}' requires at most ${rule.count} ${pluralize('argument', rule.count)}${tail('See')}`
    case 'range':
      return count >= rule.min && count <= rule.max ? undefined
        : `${bin}: '${commandPath}' requires at least ${rule.min} and at most ${rule.max} arguments${tail('See')}`
  }
}
