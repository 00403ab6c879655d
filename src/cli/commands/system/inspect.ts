import { isEngineError } from '../../../common/index.js'
import type { InspectResult } from '../../../client/index.js'
import type { CommandHandler } from '../../command-spec.js'
import type { CliContext } from '../../context.js'
import { CliError, describeError } from '../../render/errors.js'
import { compactJson, indentJson } from '../../render/json-indent.js'
import { TemplateError, parseTemplate, type ParsedTemplate, executeTemplate } from '../../../format/index.js'

type Getter = (ref: string) => Promise<InspectResult<unknown>>

const ALL_TYPES = ['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume']

/** `berth inspect [--type T]`: containers first, then images, like docker's autodetection. */
export const inspectCommand: CommandHandler = async (ctx, args, options) => {
  const { format, type, size } = options as { format?: string; type?: string; size?: boolean }
  if (type !== undefined && type !== '' && !ALL_TYPES.includes(type)) {
    throw new CliError(`unknown type: "${type}": must be one of "${ALL_TYPES.join('", "')}"`, 1)
  }
  if (type === '') throw new CliError(`type is empty: must be one of "${ALL_TYPES.join('", "')}"`, 1)
  const client = ctx.client()
  const container: Getter = (ref) => client.containerInspect(ref, { size })
  const image: Getter = (ref) => client.imageInspect(ref)
  const volume: Getter = (ref) => client.volumeInspect(ref)
  const network: Getter = (ref) => client.networkInspect(ref)
  let getter: Getter
  if (type === 'container') getter = container
  else if (type === 'image') getter = image
  else if (type === 'volume') getter = volume
  else if (type === 'network') getter = network
  else if (type !== undefined) getter = async (ref) => Promise.reject(new Error(`Error: No such object: ${ref}`))
  else {
    getter = async (ref) => {
      for (const get of [container, image, volume, network]) {
        try {
          return await get(ref)
        } catch (err) {
          if (!isSkippable(err)) throw err
        }
      }
      throw new Error(`Error: No such object: ${ref}`)
    }
  }
  await inspectAll(ctx, args, format ?? '', getter)
}

export const containerInspectCommand: CommandHandler = async (ctx, args, options) => {
  const { format, size } = options as { format?: string; size?: boolean }
  await inspectAll(ctx, args, format ?? '', (ref) => ctx.client().containerInspect(ref, { size }))
}

export const volumeInspectCommand: CommandHandler = async (ctx, args, options) => {
  const { format } = options as { format?: string }
  await inspectAll(ctx, args, format ?? '', (ref) => ctx.client().volumeInspect(ref))
}

export const imageInspectCommand: CommandHandler = async (ctx, args, options) => {
  const { format } = options as { format?: string }
  await inspectAll(ctx, args, format ?? '', (ref) => ctx.client().imageInspect(ref))
}

function isSkippable(err: unknown): boolean {
  const message = describeError(err)
  return isEngineError(err, 'NotFound') || isEngineError(err, 'NotImplemented') || message.includes('not supported') || message.includes('invalid reference format')
}

/**
 * docker's inspect.Inspect: indented JSON array of what the daemon sent (compact with "json"),
 * or the template once per object. Errors are reported together after the output, status 1;
 * an unparsable template is status 64.
 */
export async function inspectAll(ctx: CliContext, refs: string[], format: string, get: Getter): Promise<void> {
  let template: ParsedTemplate | undefined
  if (format !== '' && format !== 'json') {
    try {
      template = parseTemplate(format)
    } catch (err) {
      throw new CliError(`template parsing error: ${(err as Error).message}`, 64)
    }
  }
  const raws: string[] = []
  const errors: string[] = []
  let out = ''
  for (const ref of refs) {
    let result
    try {
      result = await get(ref)
    } catch (err) {
      errors.push(describeError(err))
      continue
    }
    if (!template) {
      raws.push(result.raw.trim())
      continue
    }
    try {
      out += executeTemplate(template, result.value, { strictStructs: true }) + '\n'
    } catch (err) {
      errors.push(err instanceof TemplateError ? `template parsing error: ${err.message}` : describeError(err))
    }
  }
  if (template) ctx.io.stdout.write(out === '' ? '\n' : out)
  else if (raws.length === 0) ctx.io.stdout.write('[]\n')
  else {
    const array = `[${raws.join(',')}]`
    ctx.io.stdout.write((format === 'json' ? compactJson(array) : indentJson(array)) + '\n')
  }
  if (errors.length > 0) throw new CliError(errors.join('\n'), 1)
}
