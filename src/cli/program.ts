import type { ClientGlobals, EngineClient } from '../client/index.js'
import { BerthCommand, commandPath } from './berth-command.js'
import { checkArgs, type CommandSpec, type GroupSpec, type OptionSpec } from './command-spec.js'
import { createContext, type CliContext, type CliIo } from './context.js'
import { flagUsages, groupHelp, helpWidth, leafHelp, rootHelp, type CommandListing } from './help.js'
import { CliError } from './render/errors.js'
import { BERTH_VERSION } from './version.js'
import * as container from './commands/container/specs.js'
import { resourceSpecs } from './commands/container/resource-specs.js'
import * as image from './commands/image/specs.js'
import * as network from './commands/network/specs.js'
import * as build from './commands/build/specs.js'
import * as system from './commands/system/specs.js'
import * as contexts from './commands/context/specs.js'
import * as volume from './commands/volume/specs.js'
import { composeGroup } from './commands/compose/specs.js'
import * as registry from './commands/registry/specs.js'

export const BIN = 'berth'

export interface ProgramDeps {
  io: CliIo
  /** Builds the daemon client from the global flags (-H, --context, --tls...) and the environment. */
  makeClient: (globals: ClientGlobals, env: NodeJS.ProcessEnv) => EngineClient
}

/** Filled in while a command runs: its exit status and context (to close the client after). */
export interface ProgramState {
  exitCode: number
  context?: CliContext
}

const commonCommands = [
  container.runSpec, container.execSpec, container.psSpec, build.buildSpec, registry.pullSpec, registry.pushSpec, image.imagesSpec,
  registry.loginSpec, registry.logoutSpec, registry.searchSpec, system.versionSpec, system.infoSpec,
]
const managementCommands = [
  container.containerGroup, composeGroup, contexts.contextGroup, image.imageGroup, network.networkGroup, registry.registryGroup, system.systemGroup,
  volume.volumeGroup,
]
const otherCommands = [
  container.attachSpec, container.commitSpec, container.cpSpec, container.createSpec, container.diffSpec, container.exportSpec, system.eventsSpec, image.historySpec, image.importSpec, system.inspectSpec, container.killSpec,
  registry.loadSpec, container.logsSpec, network.portSpec, container.renameSpec, container.rmSpec, image.rmiSpec, registry.saveSpec,
  container.startSpec, container.stopSpec, image.tagSpec, container.topSpec, container.waitSpec, ...resourceSpecs,
].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))

/**
 * The command tree: `berth [OPTIONS] COMMAND`, docker's commands and management groups. With
 * `argv`, only the branch of the command it invokes is registered (each command brings dozens of
 * options, so building all of them costs more than running most commands), and no command at all
 * for `berth --version`; help, `berth help` and anything that cannot be told from argv get the
 * whole tree.
 */
export function buildProgram(deps: ProgramDeps, state: ProgramState, argv?: readonly string[]): BerthCommand {
  const { io } = deps
  const cols = helpWidth(io.stdout.columns)
  const program = new BerthCommand(BIN)
  program.stopAtOperand = true
  program.useLine = `${BIN} [OPTIONS] COMMAND`
  program
    .enablePositionalOptions()
    .exitOverride()
    .showSuggestionAfterError(false)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => {},
    })
    .helpOption('-h, --help', 'Print usage')
    .addSpecOption({ flags: '-c, --context', type: 'string', description: 'Name of the context to use to connect to the daemon (overrides DOCKER_HOST env var and default context set with "berth context use")' })
    .addSpecOption({ flags: '-D, --debug', description: 'Enable debug mode' })
    .addSpecOption({ flags: '-H, --host', type: 'list', repeatable: true, description: 'Daemon socket to connect to' })
    .addSpecOption({
      flags: '-l, --log-level',
      type: 'string',
      default: 'info',
      description: 'Set the logging level ("debug", "info", "warn", "error", "fatal") (default "info")',
    })
    .addSpecOption({ flags: '--tls', description: 'Use TLS; implied by --tlsverify' })
    .addSpecOption({ flags: '--tlscacert', type: 'string', description: 'Trust certs signed only by this CA (default "~/.docker/ca.pem")' })
    .addSpecOption({ flags: '--tlscert', type: 'string', description: 'Path to TLS certificate file (default "~/.docker/cert.pem")' })
    .addSpecOption({ flags: '--tlskey', type: 'string', description: 'Path to TLS key file (default "~/.docker/key.pem")' })
    .addSpecOption({ flags: '--tlsverify', description: 'Use TLS and verify the remote' })
    .addSpecOption({ flags: '-v, --version', description: 'Print version information and quit' })
    .argument('[command...]')

  const makeContext = (path: string): CliContext => {
    const globals = program.opts<ClientGlobals & { debug?: boolean; logLevel?: string }>()
    const context = createContext({
      io,
      commandPath: path,
      debug: !!globals.debug || globals.logLevel === 'debug',
      contextFlag: globals.context,
      makeClient: () => deps.makeClient(globals, io.env),
    })
    state.context = context
    return context
  }

  const addLeaf = (parent: BerthCommand, spec: CommandSpec, groupOptions: OptionSpec[] = []): void => {
    const cmd = parent.command(spec.name) as BerthCommand
    for (const alias of spec.aliases ?? []) cmd.alias(alias)
    cmd.description(spec.description).argument('[args...]')
    if (spec.interspersed === false) {
      cmd.passThroughOptions()
      cmd.stopAtOperand = true
    }
    if (spec.hostnameFlag) {
      cmd.helpOption('--help', 'Print usage')
      cmd.flagHelp.push({ long: 'help', description: 'Print usage' })
    } else {
      cmd.helpOption('-h, --help', 'Print usage')
    }
    const options = [...spec.options, ...inheritedOptions(spec.options, groupOptions)]
    const register = argv && optionsUsedBy(argv, options)
    for (const option of options) cmd.addSpecOption(option, !register || register.has(option))
    const path = commandPath(cmd)
    cmd.useLine = `${path} ${spec.usage}`
    cmd.helpText = () =>
      leafHelp({
        useLine: cmd.useLine,
        description: spec.description,
        aliases: spec.helpAliases?.replaceAll('{bin}', BIN),
        flags: cmd.flagHelp,
        cols,
      })
    cmd.action(async (args: string[], options: Record<string, unknown>) => {
      const problem = checkArgs(spec.args, args.length, path, cmd.useLine)
      if (problem) throw new CliError(problem, 1)
      const handler = await spec.load()
      const merged = groupOptions.length > 0 ? mergeGroupOptions((parent as BerthCommand).opts(), options) : options
      state.exitCode = (await handler(makeContext(path), args, merged)) ?? 0
    })
  }

  const addGroup = (group: GroupSpec, only?: CommandSpec[]): void => {
    const cmd = program.command(group.name) as BerthCommand
    const path = commandPath(cmd)
    cmd.description(group.description).enablePositionalOptions().helpOption('-h, --help', 'Print usage').argument('[command...]')
    cmd.stopAtOperand = true
    cmd.useLine = path
    for (const option of group.options ?? []) cmd.addSpecOption(option)
    for (const spec of only ?? group.commands) addLeaf(cmd, spec, group.options)
    // Plain code-unit order: localeCompare would load ICU's collator (~15 ms) for ASCII names.
    cmd.helpText = () => {
      const text = groupHelp(path, group.description, [...group.commands].sort(byName).map(toListing))
      if (!group.options?.length) return text
      // docker compose: "Usage:  docker compose [OPTIONS] COMMAND", the options after the commands.
      const [head = '', tail = ''] = text.split(`\nRun '${path} COMMAND --help'`)
      return `${head.replace(`Usage:  ${path} COMMAND`, `Usage:  ${path} [OPTIONS] COMMAND`)}\nOptions:\n${flagUsages(cmd.flagHelp, cols)}\nRun '${path} COMMAND --help'${tail}`
    }
    cmd.action((args: string[]) => {
      if (args.length === 0) {
        io.stdout.write(cmd.helpInformation())
        return
      }
      throw new CliError(
        `${BIN}: unknown command: ${path} ${args[0]}\n\nUsage:  ${path}\n\nRun '${path} --help' for more information`,
        1,
      )
    })
  }

  const selected = argv ? selectBranch(argv) : undefined
  if (selected?.group) {
    addGroup(selected.group, selected.leaf && [selected.leaf])
  } else if (selected?.leaf) {
    addLeaf(program, selected.leaf)
  } else if (!selected) {
    for (const spec of [...commonCommands, ...otherCommands]) addLeaf(program, spec)
    for (const group of managementCommands) addGroup(group)
  }

  program.helpText = () =>
    rootHelp({
      bin: BIN,
      description: 'A container engine that speaks the Docker Engine API',
      sections: [
        { title: 'Common Commands', commands: commonCommands.map(toListing) },
        { title: 'Management Commands', commands: managementCommands.map(toListing) },
        { title: 'Commands', commands: otherCommands.map(toListing) },
      ],
      flags: program.flagHelp,
      cols,
    })
  program.action((args: string[], options: { version?: boolean }) => {
    if (options.version) {
      io.stdout.write(`${BIN} version ${BERTH_VERSION}\n`)
      return
    }
    if (args[0] === 'help') {
      // `berth help container ls` is `berth container ls --help`.
      let target: BerthCommand = program
      for (const name of args.slice(1)) {
        const next = target.commands.find((c) => c.name() === name || c.aliases().includes(name))
        if (!next) throw new CliError(`${BIN}: unknown help topic: ${args.slice(1).join(' ')}`, 1)
        target = next as BerthCommand
      }
      io.stdout.write(target.helpInformation())
      return
    }
    if (args.length > 0) {
      throw new CliError(`${BIN}: unknown command: ${BIN} ${args[0]}\n\nRun '${BIN} --help' for more information`, 1)
    }
    io.stdout.write(program.helpInformation())
  })
  return program
}

/** Global flags that take a value (everything else at the root is a boolean). */
const ROOT_VALUE_FLAGS = new Set(['-H', '--host', '-l', '--log-level', '-c', '--context', '--tlscacert', '--tlscert', '--tlskey'])
const ROOT_BOOLEAN_FLAGS = new Set(['-D', '--debug', '-v', '--version', '--tls', '--tlsverify'])

/**
 * The command argv invokes, found the way the root command parses it (global flags, then the
 * command name; a group takes one more name); `{}` for global flags alone other than help
 * (`berth --version`). undefined when the whole tree is needed: no arguments, help,
 * `berth help ...`, an unknown command or flag, or anything unusual.
 */
export function selectBranch(argv: readonly string[]): { group?: GroupSpec; leaf?: CommandSpec } | undefined {
  let i = 0
  for (; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith('-') || arg === '-') break
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=')
      const name = eq === -1 ? arg : arg.slice(0, eq)
      if (ROOT_VALUE_FLAGS.has(name)) {
        if (eq === -1) i++
      } else if (!ROOT_BOOLEAN_FLAGS.has(name)) {
        return undefined
      }
      continue
    }
    // A cluster of short flags (-Dl debug, -Hunix:///x, -D=true): a value flag takes the rest or the next argument.
    for (let j = 1; j < arg.length; j++) {
      const flag = `-${arg[j]}`
      if (ROOT_VALUE_FLAGS.has(flag)) {
        if (j === arg.length - 1) i++
        break
      }
      if (!ROOT_BOOLEAN_FLAGS.has(flag)) return undefined
      if (arg[j + 1] === '=') break
    }
  }
  const name = argv[i]
  if (name === undefined) return argv.length > 0 ? {} : undefined
  const named = (spec: { name: string; aliases?: string[] }, n: string | undefined): boolean =>
    spec.name === n || (spec.aliases?.includes(n ?? '') ?? false)
  const leaf = [...commonCommands, ...otherCommands].find((spec) => named(spec, name))
  if (leaf) return { leaf }
  const group = managementCommands.find((g) => g.name === name)
  if (!group) return undefined
  return { group, leaf: group.commands.find((spec) => named(spec, argv[subcommandIndex(group, argv, i + 1)])) }
}

/**
 * The options argv may use, for a command to register only those with commander (~20 µs each;
 * run and create have over a hundred, a command line uses a few): an option whose long name is in
 * argv (with or without "no-", as `--x=false` may become `--no-x`), whose short letter is in an
 * argument that starts with one dash, or that sets a value by being registered: one with a
 * default, a "--no-x" flag (commander then defaults x to true) and the "--x" of such a flag (with
 * both registered, commander sets no default). Parsing, values and errors are the same as with
 * every option registered: the others are absent from argv. Help lists them all regardless.
 */
export function optionsUsedBy(argv: readonly string[], options: readonly OptionSpec[]): Set<OptionSpec> {
  const longs = new Set<string>()
  const shorts = new Set<string>()
  const base = (name: string): string => (name.startsWith('no-') ? name.slice(3) : name)
  for (const arg of argv) {
    if (arg.startsWith('--')) longs.add(base(arg.slice(2).split('=')[0]!))
    else if (arg.startsWith('-')) for (const c of arg.slice(1)) shorts.add(c)
  }
  const names = options.map((option) => /^(?:-(\w),\s*)?--([\w-]+)$/.exec(option.flags.trim()))
  const negated = new Set(names.flatMap((m) => (m?.[2]?.startsWith('no-') ? [base(m[2])] : [])))
  const used = new Set<OptionSpec>()
  options.forEach((option, i) => {
    const m = names[i]
    const long = m?.[2]
    if (
      !m || !long || option.default !== undefined || long.startsWith('no-') || negated.has(long) ||
      longs.has(base(long)) || (m[1] !== undefined && shorts.has(m[1]))
    ) used.add(option)
  })
  return used
}

/**
 * A group's options as a subcommand also accepts them: hidden, and without the names the
 * subcommand uses itself (`compose run -p` is --publish, `compose logs -f` is --follow).
 */
function inheritedOptions(own: OptionSpec[], group: OptionSpec[]): OptionSpec[] {
  const names = (flags: string): { short?: string; long: string } => {
    const m = /^(?:-(\w),\s*)?--([\w-]+)$/.exec(flags.trim())
    return { ...(m?.[1] ? { short: m[1] } : {}), long: m?.[2] ?? flags }
  }
  const shorts = new Set(own.map((o) => names(o.flags).short).filter(Boolean))
  const longs = new Set(own.map((o) => names(o.flags).long))
  const out: OptionSpec[] = []
  for (const option of group) {
    const { short, long } = names(option.flags)
    if (longs.has(long)) continue
    out.push({ ...option, flags: short && !shorts.has(short) ? `-${short}, --${long}` : `--${long}`, hidden: true, default: undefined })
  }
  return out
}

/** Group flags under the subcommand's: its own values win, repeatable (array) values add up. */
function mergeGroupOptions(group: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...group }
  for (const [key, value] of Object.entries(own)) {
    if (value === undefined) continue
    const before = merged[key]
    merged[key] = Array.isArray(before) && Array.isArray(value) ? [...before, ...value] : value
  }
  return merged
}

/** Index of a group's subcommand name in argv, past the group's own flags (`compose -f x.yml up`). */
function subcommandIndex(group: GroupSpec, argv: readonly string[], start: number): number {
  const valueFlags = new Set<string>()
  const boolFlags = new Set<string>()
  for (const o of group.options ?? []) {
    const m = /^(?:-(\w),\s*)?--([\w-]+)$/.exec(o.flags.trim())
    for (const name of [m?.[1] && `-${m[1]}`, m?.[2] && `--${m[2]}`]) if (name) (o.type ? valueFlags : boolFlags).add(name)
  }
  let i = start
  while (i < argv.length) {
    const arg = argv[i]!
    if (!arg.startsWith('-') || arg === '-') return i
    const name = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg
    if (valueFlags.has(name)) i += arg.includes('=') ? 1 : 2
    else if (boolFlags.has(name)) i += 1
    else if (/^-\w.+/.test(arg) && valueFlags.has(arg.slice(0, 2))) i += 1
    else return argv.length
  }
  return i
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

/** A command's line in a listing: the first line of its description (docker's Short), without a final period. */
function toListing(spec: { name: string; description: string }): CommandListing {
  const first = spec.description.split('\n')[0] ?? ''
  return { name: spec.name, description: first.endsWith('.') ? first.slice(0, -1) : first }
}
