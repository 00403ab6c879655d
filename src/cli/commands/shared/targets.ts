import type { CliContext } from '../../context.js'
import { CliError, describeError } from '../../render/errors.js'

/**
 * docker's pattern for commands over several containers or images: run `operation` on each in
 * order, print each name that succeeded (unless `print` is false), then fail with every error
 * message, one per line, and exit status 1.
 */
export async function forEachTarget(
  ctx: CliContext,
  targets: string[],
  operation: (target: string) => Promise<string | void>,
): Promise<void> {
  const errors: string[] = []
  for (const target of targets) {
    try {
      const printed = await operation(target)
      if (printed !== undefined) ctx.io.stdout.write(`${printed}\n`)
    } catch (err) {
      errors.push(describeError(err))
    }
  }
  if (errors.length > 0) throw new CliError(errors.join('\n'), 1)
}
