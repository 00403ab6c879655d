import type { CliContext } from '../../context.js'

/** docker's PromptForConfirmation: prints `message` and "Are you sure...", true for a "y"/"Y" answer line. */
export async function confirm(ctx: CliContext, message: string): Promise<boolean> {
  ctx.io.stdout.write(`${message}\nAre you sure you want to continue? [y/N] `)
  const line = await new Promise<string>((resolve) => {
    let buf = ''
    const stdin = ctx.io.stdin
    const done = (): void => {
      stdin.off('data', onData)
      stdin.off('end', done)
      stdin.pause()
      resolve(buf.split('\n')[0] ?? '')
    }
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString()
      if (buf.includes('\n')) done()
    }
    stdin.on('data', onData)
    stdin.once('end', done)
    stdin.resume()
  })
  return /^\s*y(es)?\s*$/i.test(line)
}
