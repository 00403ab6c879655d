import type { EngineEvent } from '../../engine/events/index.js'
import type { EventMessage } from '../types/index.js'

/** An engine event in Docker's /events shape, with the legacy status/id/from fields for containers and images. */
export function eventMessage(event: EngineEvent): EventMessage {
  const message: EventMessage = {
    Type: event.type,
    Action: event.action,
    Actor: { ID: event.actor.id, Attributes: event.actor.attributes },
    scope: 'local',
    time: Number(event.timeNano / 1_000_000_000n),
    timeNano: event.timeNano,
  }
  if (event.type === 'container' || event.type === 'image') {
    const legacy: Partial<EventMessage> = { status: event.action, id: event.actor.id }
    const from = event.actor.attributes.image
    if (event.type === 'container' && from !== undefined) legacy.from = from
    return { ...legacy, ...message }
  }
  return message
}

/** JSON text of an event message; timeNano is an int64 and must not pass through a float. */
export function encodeEventMessage(message: EventMessage): string {
  const { timeNano, ...rest } = message
  return JSON.stringify(rest).slice(0, -1) + `,"timeNano":${timeNano.toString()}}`
}

/** moby's filters.FuzzyMatch: absent key matches; otherwise equal or a prefix. */
function fuzzy(filters: Record<string, string[]>, key: string, ...sources: Array<string | undefined>): boolean {
  const values = filters[key]
  if (!values || values.length === 0) return true
  return values.some((v) => sources.some((s) => s !== undefined && (s === v || s.startsWith(v))))
}

/** moby's filters.ExactMatch: absent key matches; otherwise equal. */
function exact(filters: Record<string, string[]>, key: string, ...sources: Array<string | undefined>): boolean {
  const values = filters[key]
  if (!values || values.length === 0) return true
  return values.some((v) => sources.some((s) => s !== undefined && s === v))
}

function stripTag(ref: string | undefined): string | undefined {
  if (ref === undefined) return undefined
  const slash = ref.lastIndexOf('/')
  const colon = ref.lastIndexOf(':')
  return colon > slash ? ref.slice(0, colon) : ref
}

function scoped(filters: Record<string, string[]>, key: string, event: EngineEvent, type: EngineEvent['type']): boolean {
  if (!filters[key]?.length) return true
  return event.type === type && fuzzy(filters, key, event.actor.id, event.actor.attributes.name)
}

function labelsMatch(filters: Record<string, string[]>, attributes: Record<string, string>): boolean {
  const labels = filters.label
  if (!labels || labels.length === 0) return true
  return labels.every((l) => {
    const i = l.indexOf('=')
    if (i < 0) return l in attributes
    return attributes[l.slice(0, i)] === l.slice(i + 1)
  })
}

/**
 * moby's events.Filter.Include: keys are ANDed, values of one key ORed. Supported keys: event,
 * type, container, image, volume, network, daemon, scope, label.
 */
export function eventMatches(filters: Record<string, string[]>, event: EngineEvent): boolean {
  const prefixEvents = ['health_status', 'exec_create', 'exec_start']
  const eventOk = (filters.event ?? []).some((e) => prefixEvents.includes(e))
    ? fuzzy(filters, 'event', event.action)
    : exact(filters, 'event', event.action)
  const imageName = event.type === 'image' ? event.actor.attributes.name : event.actor.attributes.image
  return eventOk
    && exact(filters, 'type', event.type)
    && exact(filters, 'scope', 'local')
    && scoped(filters, 'container', event, 'container')
    && scoped(filters, 'volume', event, 'volume')
    && scoped(filters, 'network', event, 'network')
    && scoped(filters, 'daemon', event, 'daemon')
    && exact(filters, 'image', event.actor.id, imageName, stripTag(event.actor.id), stripTag(imageName))
    && labelsMatch(filters, event.actor.attributes)
}
