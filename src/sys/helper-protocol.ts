import type { ChildProcess } from 'node:child_process'

/**
 * What berth's long-lived bash helpers (spawn-helper.ts, fd-launcher.ts) share: they keep node's event
 * loop alive only while they run jobs, and report on stdout in lines of "<job id> <kind> <value>".
 */

/** Refs the helper's process and stdout while it has jobs, unrefs them when it has none. */
export function holdWhileBusy(child: ChildProcess | undefined, busy: boolean): void {
  if (!child) return
  for (const h of [child, child.stdout] as Array<{ ref?: () => void; unref?: () => void } | null>) (busy ? h?.ref : h?.unref)?.call(h)
}

/** Calls onLine for every whole line in buffer; returns what is left after the last newline. */
export function readStatusLines(buffer: string, onLine: (id: number, kind: string, value: string) => void): string {
  let rest = buffer
  for (let nl = rest.indexOf('\n'); nl >= 0; nl = rest.indexOf('\n')) {
    const [id, kind, value] = rest.slice(0, nl).split(' ')
    rest = rest.slice(nl + 1)
    onLine(Number(id), kind ?? '', value ?? '')
  }
  return rest
}
