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
  /** When each container's last finished run ended (ms), to read a new run from there. */
  const lastEnd = new Map<string, number>()
  /**
   * `follow` only for containers running now; stopped ones print their history and are attached
   * again when a start event comes, from where their previous run ended (no run is read twice).
   */
  const stream = (c: ContainerSummary, follow: boolean, fromStart: boolean): void => {
    const p = streamContainer(client, c, consumer, { ...options, follow }, fromStart ? (lastEnd.get(c.Id) ?? 0) : undefined, lastEnd)
      .catch((err: unknown) => {
        if (!isEngineError(err, 'NotFound') && !options.signal?.aborted) failures.push(err)
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
            if (!(await isRestarting(client, id, lastEnd))) expected.delete(id)
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
  const messages = await client.events({
    since: String(Math.floor(Date.now() / 1000)),
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

async function isRestarting(client: EngineClient, id: string, lastEnd: Map<string, number>): Promise<boolean> {
  try {
    const { value } = await client.containerInspect(id)
    recordEnd(lastEnd, id, value.State)
    return value.State.Restarting || value.State.Running
  } catch {
    return false
  }
}

async function summaryOf(client: EngineClient, id: string, projectName: string): Promise<ContainerSummary | undefined> {
  const list = await listProjectContainers(client, projectName, { all: true })
  return list.find((c) => c.Id === id)
}

/** Notes when a stopped container's last run finished. */
function recordEnd(lastEnd: Map<string, number>, id: string, state: { Running: boolean; FinishedAt: string }): void {
  const finished = Date.parse(state.FinishedAt)
  if (!state.Running && Number.isFinite(finished) && finished > 0) lastEnd.set(id, finished)
}

/**
 * Streams one container's output to the consumer. `afterMs`: a container (re)started while
 * following is read from just after its previous run ended (0: from the beginning). Compose uses
 * the start event's time, but a process can print before that event, and before StartedAt too.
 */
async function streamContainer(
  client: EngineClient, c: ContainerSummary, consumer: LogConsumer, options: LogsOptions, afterMs: number | undefined, lastEnd: Map<string, number>,
): Promise<void> {
  const name = nameWithoutProject(c)
  const { value } = await client.containerInspect(c.Id)
  recordEnd(lastEnd, c.Id, value.State)
  // FinishedAt is cut to milliseconds: +1 ms stays after the previous run's last line.
  const since = afterMs === undefined ? options.since
    : afterMs === 0 ? undefined
    : `${Math.floor((afterMs + 1) / 1000)}.${String(((afterMs + 1) % 1000) * 1_000_000).padStart(9, '0')}`
  const logs = await client.containerLogs(c.Id, {
    stdout: true, stderr: true, follow: options.follow, tail: options.tail, since, until: options.until,
    timestamps: options.timestamps, signal: options.signal,
  })
  const lines = new LineSplitter((line) => consumer.log(name, line))
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
