import type { ContainerSummary, EngineClient, EventMessage } from '../../client/index.js'
import { FrameDecoder } from '../../client/index.js'
import { isEngineError } from '../../common/index.js'
import { LABEL_ONEOFF, LABEL_PROJECT, LABEL_SERVICE } from '../labels.js'
import { LineSplitter } from './log-printer.js'
import { byName, listProjectContainers, nameWithoutProject } from './project-containers.js'

/** Receives the lines of every container (name without the project, e.g. "web-1"). */
export interface LogConsumer {
  /** Called once per container before any of its lines, in name order for the initial set. */
  register(name: string): void
  log(name: string, line: string): void
  /** "exited with code 0" when a followed container stops. */
  status(name: string, message: string): void
}

export interface LogsOptions {
  services?: string[]
  follow?: boolean
  /** "all" or a number of lines per container. */
  tail?: string
  /** Daemon timestamps (unix seconds strings), already converted from the CLI's forms. */
  since?: string
  until?: string
  timestamps?: boolean
  signal?: AbortSignal
}

/**
 * Compose's Logs: the output of the project's service containers, each line handed to the consumer
 * as it arrives (stdout and stderr alike). With `follow`, containers that start later are followed
 * too (from their start time), a stop is reported as "exited with code N", and it returns once
 * every followed container has stopped.
 */
export async function projectLogs(client: EngineClient, projectName: string, consumer: LogConsumer, options: LogsOptions = {}): Promise<void> {
  const services = options.services ?? []
  // Subscribe before listing so that a container starting in between is not missed.
  const events = options.follow ? await subscribe(client, projectName, options.signal) : undefined
  const containers = (await listProjectContainers(client, projectName, { all: true, services })).sort(byName)
  for (const c of containers) consumer.register(nameWithoutProject(c))

  const streams = new Map<string, Promise<void>>()
  const failures: unknown[] = []
  /** Daemon timestamp (ns) of the last line read from each container: a new run is read from after it. */
  const lastLine = new Map<string, bigint>()
  /**
   * `follow` only for containers running now; stopped ones print their history and are attached
   * again when a start event comes, from after the last line of their previous run. (Compose uses
   * the start event's time, but a process can print before that event, and before StartedAt.)
   */
  /** Containers whose output is followed live right now (a start event for one of them changes nothing). */
  const following = new Set<string>()
  const stream = (c: ContainerSummary, follow: boolean, reattach: boolean): void => {
    if (follow) following.add(c.Id)
    const p = (async () => {
      const since = reattach ? afterLine(lastLine.get(c.Id)) : options.since
      await streamContainer(client, c, consumer, { ...options, follow, since, tail: reattach ? 'all' : options.tail }, lastLine)
      // The history may have shown none of the last run (--tail 0): find where it ended.
      if (options.follow && !follow && !lastLine.has(c.Id)) await lastLineTime(client, c.Id, lastLine)
    })().catch((err: unknown) => {
      if (!isEngineError(err, 'NotFound') && !options.signal?.aborted) failures.push(err)
    }).finally(() => {
      if (follow) following.delete(c.Id)
    })
    streams.set(c.Id, p)
  }
  const live = (c: ContainerSummary): boolean => c.State === 'running' || c.State === 'paused' || c.State === 'restarting'
  for (const c of containers) stream(c, options.follow === true && live(c), false)

  if (events) {
    const expected = new Set(containers.filter(live).map((c) => c.Id))
    if (expected.size > 0) {
      try {
        for await (const event of events.messages) {
          const attrs = event.Actor?.Attributes ?? {}
          if (event.Type !== 'container' || attrs[LABEL_ONEOFF] === 'True') continue
          if (services.length > 0 && !services.includes(attrs[LABEL_SERVICE] ?? '')) continue
          const id = event.Actor.ID
          if (event.Action === 'start') {
            expected.add(id)
            if (following.has(id)) continue
            await streams.get(id) // a stopped container's history, or its previous run
            const known = containers.find((c) => c.Id === id)
            const c = known ?? (await summaryOf(client, id, projectName))
            if (!c) continue
            if (!known) {
              containers.push(c)
              consumer.register(nameWithoutProject(c))
            }
            stream(c, true, true)
          } else if (event.Action === 'die') {
            const c = containers.find((x) => x.Id === id)
            await streams.get(id)
            if (c) consumer.status(nameWithoutProject(c), `exited with code ${attrs.exitCode ?? '0'}`)
            if (!(await isRestarting(client, id))) expected.delete(id)
            if (expected.size === 0) break
          }
        }
      } finally {
        events.abort()
      }
    } else {
      events.abort()
    }
  }
  await Promise.all(streams.values())
  if (failures.length > 0) throw failures[0]
}

async function subscribe(client: EngineClient, projectName: string, signal?: AbortSignal): Promise<{ messages: AsyncIterable<EventMessage>; abort(): void }> {
  const controller = new AbortController()
  signal?.addEventListener('abort', () => controller.abort(), { once: true })
  // No `since`: replayed events of the current second would describe runs the listing already shows.
  const messages = await client.events({
    filters: { type: ['container'], label: [`${LABEL_PROJECT}=${projectName.toLowerCase()}`] },
    signal: controller.signal,
  })
  return { messages: swallowAbort(messages, controller.signal), abort: () => controller.abort() }
}

async function* swallowAbort<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncIterable<T> {
  try {
    for await (const item of source) yield item
  } catch (err) {
    if (!signal.aborted) throw err
  }
}

async function isRestarting(client: EngineClient, id: string): Promise<boolean> {
  try {
    const { value } = await client.containerInspect(id)
    return value.State.Restarting || value.State.Running
  } catch {
    return false
  }
}

async function summaryOf(client: EngineClient, id: string, projectName: string): Promise<ContainerSummary | undefined> {
  const list = await listProjectContainers(client, projectName, { all: true })
  return list.find((c) => c.Id === id)
}

/**
 * "seconds.nanoseconds" just after a line's timestamp; undefined (everything) when none was seen.
 * 1 ms after: the daemon reads `since` as a float (about 0.2 µs of precision today), and a new run
 * cannot print within a millisecond of the previous run's last line.
 */
function afterLine(ns: bigint | undefined): string | undefined {
  if (ns === undefined) return undefined
  const next = ns + 1_000_000n
  return `${next / 1_000_000_000n}.${String(next % 1_000_000_000n).padStart(9, '0')}`
}

/** Nanoseconds of an RFC 3339 timestamp with up to nine fraction digits; undefined when malformed. */
export function timestampNs(text: string): bigint | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text)
  if (!m) return undefined
  const ms = Date.parse(`${m[1]}${m[3]}`)
  if (!Number.isFinite(ms)) return undefined
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'))
}

/** Records the timestamp of a container's last log line (one `tail=1` read). */
async function lastLineTime(client: EngineClient, id: string, lastLine: Map<string, bigint>): Promise<void> {
  await streamContainer(client, { Id: id } as ContainerSummary, { register: () => {}, log: () => {}, status: () => {} }, { tail: '1' }, lastLine)
}

/**
 * Streams one container's output to the consumer, line by line. Lines are always requested with
 * the daemon's timestamps, which are noted in `lastLine` and removed unless `timestamps` was asked.
 */
async function streamContainer(client: EngineClient, c: ContainerSummary, consumer: LogConsumer, options: LogsOptions, lastLine: Map<string, bigint>): Promise<void> {
  const name = c.Names ? nameWithoutProject(c) : ''
  const { value } = await client.containerInspect(c.Id)
  const logs = await client.containerLogs(c.Id, {
    stdout: true, stderr: true, follow: options.follow, tail: options.tail, since: options.since, until: options.until,
    timestamps: true, signal: options.signal,
  })
  const lines = new LineSplitter((line) => {
    const space = line.indexOf(' ')
    const ns = timestampNs(space < 0 ? line : line.slice(0, space))
    if (ns === undefined) return consumer.log(name, line)
    lastLine.set(c.Id, ns)
    consumer.log(name, options.timestamps ? line : space < 0 ? '' : line.slice(space + 1))
  })
  const multiplexed = logs.multiplexed ?? !value.Config.Tty
  const decoder = new FrameDecoder()
  try {
    for await (const chunk of logs.stream) {
      const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string)
      if (!multiplexed) {
        lines.write(data)
        continue
      }
      for (const frame of decoder.push(data)) if (frame.stream !== 3) lines.write(frame.payload)
    }
  } catch (err) {
    if (!options.signal?.aborted) throw err
  } finally {
    lines.flush()
  }
}
