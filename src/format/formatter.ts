import { TemplateError, parseTemplate, type ParsedTemplate } from './template-parse.js'
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
  const parsed = parseFormat(request.format, request.defaultTable)
  let rows = ''
  for (const row of request.rows) {
    try {
      rows += executeTemplate(parsed.template, row) + '\n'
    } catch (err) {
      throw templateError(err)
    }
  }
  return finishRows(parsed, request.headers, rows)
}

/** A --format value ready to execute: a table's columns go through the tabwriter under a header. */
export interface ParsedFormat {
  table: boolean
  template: ParsedTemplate
}

/** Expands the shorthands and parses the template; throws a TemplateError ("template parsing error: ..."). */
export function parseFormat(format: string, defaultTable: string): ParsedFormat {
  const resolved = resolveFormat(format, defaultTable)
  const table = isTableFormat(resolved)
  const body = (table ? resolved.slice('table'.length) : resolved).trim().replaceAll('\\t', '\t').replaceAll('\\n', '\n')
  try {
    return { table, template: parseTemplate(body) }
  } catch (err) {
    throw templateError(err)
  }
}

/** The output for `rows` (each row's text and "\n"), as renderRows() makes it from executed rows. */
export function finishRows(parsed: ParsedFormat, headers: Record<string, string>, rows: string): string {
  if (!parsed.table) return rows
  let header = ''
  try {
    header = executeTemplate(parsed.template, headerContext(headers), { funcs: headerFunctions })
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
