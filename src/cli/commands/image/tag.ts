import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'
import { parseNormalizedNamed } from '../../../format/index.js'

/** `berth tag SOURCE TARGET`: sends the normalized repository and tag, as docker's client does. */
export const tagCommand: CommandHandler = async (ctx, args) => {
  const [source = '', target = ''] = args
  let ref
  try {
    ref = parseNormalizedNamed(target)
  } catch (err) {
    throw new CliError(`Error parsing reference: "${target}" is not a valid repository/tag: ${(err as Error).message}`, 1)
  }
  if (ref.digest !== undefined) throw new CliError('refusing to create a tag with a digest reference', 1)
  await ctx.client().imageTag(source, { repo: ref.name, tag: ref.tag ?? 'latest' })
}
