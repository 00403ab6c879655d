/**
 * Go's text/tabwriter (as docker's CLI configures it: NewWriter(out, minwidth, tabwidth=1,
 * padding, ' ', 0)). Text is split into lines and tab-terminated cells; the last cell of a line
 * is not part of any column. A column is a run of consecutive lines that have a cell at that
 * index; its width is the widest cell + padding, at least minwidth. Widths count code points.
 */
export interface TabwriterOptions {
  minWidth: number
  padding: number
}

/** docker's table format: tabwriter.NewWriter(out, 10, 1, 3, ' ', 0). */
export const TABLE_OPTIONS: TabwriterOptions = { minWidth: 10, padding: 3 }

export function formatColumns(text: string, options: TabwriterOptions = TABLE_OPTIONS): string {
  const endsWithNewline = text.endsWith('\n')
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n').map((line) => line.split('\t'))
  // The width of every cell but the last of its line, measured once; then per column, the width of
  // its block (padding and minwidth included), for each line that has the column.
  const cellWidths = lines.map((cells) => {
    const widths = new Array<number>(Math.max(cells.length - 1, 0))
    for (let column = 0; column < widths.length; column++) widths[column] = cellWidth(cells[column]!)
    return widths
  })
  const blockWidths = cellWidths.map((widths) => new Array<number>(widths.length))
  let maxColumns = 0
  for (const widths of cellWidths) if (widths.length > maxColumns) maxColumns = widths.length
  // For each column index, find the blocks of consecutive lines having that column.
  for (let column = 0; column < maxColumns; column++) {
    let start = 0
    while (start < lines.length) {
      if (!hasColumn(lines[start]!, column)) {
        start++
        continue
      }
      let end = start
      let width = options.minWidth
      while (end < lines.length && hasColumn(lines[end]!, column)) {
        width = Math.max(width, cellWidths[end]![column]! + options.padding)
        end++
      }
      for (let i = start; i < end; i++) blockWidths[i]![column] = width
      start = end
    }
  }
  let out = ''
  for (let i = 0; i < lines.length; i++) {
    const cells = lines[i]!
    if (i > 0) out += '\n'
    for (let column = 0; column < cells.length - 1; column++) out += cells[column]! + spaces(blockWidths[i]![column]! - cellWidths[i]![column]!)
    out += cells[cells.length - 1]!
  }
  return out + (endsWithNewline ? '\n' : '')
}

const SPACES = ' '.repeat(256)

function spaces(n: number): string {
  return n <= SPACES.length ? SPACES.slice(0, n) : ' '.repeat(n)
}

// Go formats column blocks recursively inside the blocks of the column to their left; a line
// with a cell in column j also has one in j-1, so flat runs per column give the same blocks.
function hasColumn(cells: string[], column: number): boolean {
  return column < cells.length - 1
}

const SURROGATE = /[\uD800-\uDFFF]/

/** Code points: the length, unless a surrogate (half of a pair or lone) makes counting needed. */
function cellWidth(text: string): number {
  if (!SURROGATE.test(text)) return text.length
  let n = 0
  for (const _ of text) n++
  return n
}
