import type { CommandHandler } from '../../command-spec.js'
import {
  renderRows,
  DEFAULT_IMAGE_TABLE,
  DEFAULT_IMAGE_TABLE_WITH_DIGEST,
  IMAGE_HEADERS,
  imageContexts,
} from '../../../format/index.js'
import { parseFilters } from '../shared/filters.js'

interface ImagesFlags {
  all?: boolean
  digests?: boolean
  filter?: string[]
  format?: string
  trunc?: boolean
  quiet?: boolean
}

/** `berth images [REPOSITORY[:TAG]]`: docker's image table. */
export const imagesCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as ImagesFlags
  const filters = parseFilters(flags.filter ?? [])
  if (args[0]) (filters.reference ??= []).push(args[0])
  const images = await ctx.client().imageList({ all: flags.all, filters })
  let format = flags.format || 'table'
  if (format === 'table') {
    format = flags.quiet ? '{{.ID}}' : flags.digests ? DEFAULT_IMAGE_TABLE_WITH_DIGEST : DEFAULT_IMAGE_TABLE
  } else if (format.startsWith('table') && flags.digests && !format.includes('{{.Digest}}')) {
    format += '\t{{.Digest}}'
  }
  const rows = imageContexts(images, {
    trunc: flags.trunc !== false,
    digests: !!flags.digests || format.includes('{{.Digest}}'),
  })
  ctx.io.stdout.write(renderRows({ format, defaultTable: DEFAULT_IMAGE_TABLE, headers: IMAGE_HEADERS, rows }))
}
