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
  const widths = lines.map((cells) => new Array<number>(Math.max(cells.length - 1, 0)).fill(0))
  // For each column index, find the blocks of consecutive lines having that column.
  const maxColumns = Math.max(0, ...lines.map((cells) => cells.length - 1))
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
        width = Math.max(width, cellWidth(lines[end]![column]!) + options.padding)
        end++
      }
      for (let i = start; i < end; i++) widths[i]![column] = width
      start = end
    }
  }
  const out = lines.map((cells, i) =>
    cells.map((cell, column) => (column < cells.length - 1 ? cell + ' '.repeat(widths[i]![column]! - cellWidth(cell)) : cell)).join(''),
  )
  return out.join('\n') + (endsWithNewline ? '\n' : '')
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
