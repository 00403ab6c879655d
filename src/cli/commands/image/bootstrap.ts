import type { CommandHandler } from '../../command-spec.js'
import { displayJsonMessages } from '../../render/json-messages.js'
import { familiarName, splitReference } from '../../../format/index.js'

/**
 * `berth image bootstrap busybox`: asks the daemon to build a base image from host binaries.
 * The daemon answers {"Id", "RepoTags"} (printed like `docker load`) or a JSON message stream.
 */
export const bootstrapCommand: CommandHandler = async (ctx, args) => {
  const messages = await ctx.client().imageBootstrap(args[0]!)
  const progress = async function* () {
    for await (const message of messages) {
      const record = message as { Id?: unknown; RepoTags?: unknown }
      if (typeof record.Id !== 'string') {
        yield message
        continue
      }
      const tags = Array.isArray(record.RepoTags) ? (record.RepoTags as string[]) : []
      if (tags.length === 0) ctx.io.stdout.write(`Loaded image ID: ${record.Id}\n`)
      for (const tag of tags) {
        const { name, tag: version } = splitReference(tag)
        ctx.io.stdout.write(`Loaded image: ${familiarName(name)}${version ? `:${version}` : ''}\n`)
      }
    }
  }
  await displayJsonMessages(progress(), ctx.io.stdout, ctx.io.stdout.isTTY === true)
}
