// Help text laid out like docker's cobra templates and pflag's FlagUsagesWrapped.

export interface FlagHelp {
  short?: string
  long: string
  /** pflag's type name shown after the flag ("string", "list", "int"); none for booleans. */
  type?: string
  description: string
}

export interface CommandListing {
  name: string
  description: string
}

/** docker wraps flag help at the terminal width (80 when not a terminal) minus one. */
export function helpWidth(columns: number | undefined): number {
  return (columns && columns > 0 ? columns : 80) - 1
}

/** pflag's FlagUsagesWrapped: flags sorted by long name, descriptions aligned and wrapped. */
export function flagUsages(flags: FlagHelp[], cols: number): string {
  const sorted = [...flags].sort((a, b) => (a.long < b.long ? -1 : a.long > b.long ? 1 : 0))
  const lines = sorted.map((flag) => {
    let line = flag.short ? `  -${flag.short}, --${flag.long}` : `      --${flag.long}`
    if (flag.type) line += ` ${flag.type}`
    return { left: line, usage: flag.description }
  })
  // pflag counts a separator character in the left column, hence the +1.
  const maxlen = Math.max(0, ...lines.map((l) => l.left.length + 1))
  return lines
    .map(({ left, usage }) => `${left} ${' '.repeat(maxlen - left.length)} ${wrap(maxlen + 2, cols, usage)}\n`)
    .join('')
}

/** pflag's wrap(): the first line is already indented by the caller; later lines by `indent`. */
export function wrap(indent: number, cols: number, text: string): string {
  if (cols === 0) return text.replaceAll('\n', '\n' + ' '.repeat(indent))
  let i = indent
  let width = cols - i
  let out = ''
  if (width < 24) {
    i = 16
    width = cols - i
    out += '\n' + ' '.repeat(i)
  }
  if (width < 24) return text.replaceAll('\n', out)
  const slop = 5
  width -= slop
  let [line, rest] = wrapN(width, slop, text)
  out += line.replaceAll('\n', '\n' + ' '.repeat(i))
  while (rest !== '') {
    ;[line, rest] = wrapN(width, slop, rest)
    out += '\n' + ' '.repeat(i) + line.replaceAll('\n', '\n' + ' '.repeat(i))
  }
  return out
}

function wrapN(i: number, slop: number, s: string): [string, string] {
  if (i + slop > s.length) return [s, '']
  const head = s.slice(0, i)
  const w = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\t'), head.lastIndexOf('\n'))
  if (w <= 0) return [s, '']
  const nl = head.lastIndexOf('\n')
  if (nl > 0 && nl < w) return [s.slice(0, nl), s.slice(nl + 1)]
  return [s.slice(0, w), s.slice(w + 1)]
}

/** cobra's command list: names padded to at least 11 columns. */
export function commandList(commands: CommandListing[]): string {
  const pad = Math.max(11, ...commands.map((c) => c.name.length))
  return commands.map((c) => `  ${c.name.padEnd(pad)} ${c.description}\n`).join('')
}

export interface LeafHelp {
  useLine: string
  description: string
  aliases?: string
  flags: FlagHelp[]
  cols: number
}

/** `berth CMD --help`: usage, description, aliases, options. */
export function leafHelp(help: LeafHelp): string {
  let out = `Usage:  ${help.useLine}\n\n${help.description}\n`
  if (help.aliases) out += `\nAliases:\n  ${help.aliases}\n`
  if (help.flags.length > 0) out += `\nOptions:\n${flagUsages(help.flags, help.cols)}`
  return out
}

/** `berth container --help`: usage, description, subcommands. */
export function groupHelp(commandPath: string, description: string, commands: CommandListing[]): string {
  return (
    `Usage:  ${commandPath} COMMAND\n\n${description}\n\nCommands:\n${commandList(commands)}\n` +
    `Run '${commandPath} COMMAND --help' for more information on a command.\n`
  )
}

export interface RootHelp {
  bin: string
  description: string
  sections: { title: string; commands: CommandListing[] }[]
  flags: FlagHelp[]
  cols: number
}

/** `berth --help`: command sections, then global options. */
export function rootHelp(help: RootHelp): string {
  let out = `Usage:  ${help.bin} [OPTIONS] COMMAND\n\n${help.description}\n`
  for (const section of help.sections) {
    if (section.commands.length > 0) out += `\n${section.title}:\n${commandList(section.commands)}`
  }
  out += `\nGlobal Options:\n${flagUsages(help.flags, help.cols)}`
  out += `\nRun '${help.bin} COMMAND --help' for more information on a command.\n`
  return out
}
