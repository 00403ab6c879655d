import { TemplateError, parseTemplate } from './template-parse.js'
import { executeTemplate, templateObject, type TemplateObject } from './template-exec.js'
import { headerFunctions } from './template-funcs.js'
import { formatColumns } from './tabwriter.js'

/**
 * docker's formatter.Context: a --format value is "table" (default columns), "table TEMPLATE",
 * "json" or a Go template; rows are rendered one per line, tables through the tabwriter with a
 * header made by running the same template over the column names.
 */
export interface FormatRequest {
  /** The --format value, already defaulted by the caller ('table', 'json', or a template). */
  format: string
  /** The template for a bare "table" (e.g. "table {{.ID}}\t{{.Image}}"). */
  defaultTable: string
  /** Field name -> column header ("ID" -> "CONTAINER ID"). */
  headers: Record<string, string>
  rows: TemplateObject[]
}

export const JSON_FORMAT = '{{json .}}'

/** Expands the shorthands: '' and 'table' use the default table, 'json' prints one object per line. */
export function resolveFormat(format: string, defaultTable: string): string {
  if (format === '' || format === 'table') return defaultTable
  if (format === 'json') return JSON_FORMAT
  return format
}

export function isTableFormat(format: string): boolean {
  return format.startsWith('table')
}

export function renderRows(request: FormatRequest): string {
  const format = resolveFormat(request.format, request.defaultTable)
  const table = isTableFormat(format)
  const body = (table ? format.slice('table'.length) : format).trim().replaceAll('\\t', '\t').replaceAll('\\n', '\n')
  let template
  try {
    template = parseTemplate(body)
  } catch (err) {
    throw templateError(err)
  }
  let rows = ''
  for (const row of request.rows) {
    try {
      rows += executeTemplate(template, row) + '\n'
    } catch (err) {
      throw templateError(err)
    }
  }
  if (!table) return rows
  let header = ''
  try {
    header = executeTemplate(template, headerContext(request.headers), { funcs: headerFunctions })
  } catch {
    // docker ignores header errors: the rows already executed the same template successfully
  }
  return formatColumns(`${header}\n${rows}`)
}

function headerContext(headers: Record<string, string>): TemplateObject {
  // SubHeaderContext.Label: the last dotted segment of a label name, '-' and '_' as spaces.
  const label = (name: unknown): string => String(name).split('.').at(-1)!.replace(/[-_]/g, ' ')
  return templateObject('formatter.SubHeaderContext', { ...headers, Label: label }, { lenient: true })
}

function templateError(err: unknown): Error {
  if (err instanceof TemplateError) return new TemplateError(`template parsing error: ${err.message}`)
  return err as Error
}
