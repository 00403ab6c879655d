/** One bus for container/image/network events; feeds /events, the console and logs. */
export interface EngineEvent {
  type: 'container' | 'image' | 'network' | 'volume' | 'daemon'
  /** "create", "start", "die", "destroy", "tag", "untag", "delete", "import", ... as Docker names them. */
  action: string
  actor: { id: string; attributes: Record<string, string> }
  /** Unix nanoseconds. */
  timeNano: bigint
}

export type EventListener = (event: EngineEvent) => void

export class EventBus {
  private readonly listeners = new Set<EventListener>()
  private readonly recent: EngineEvent[] = []

  constructor(private readonly now: () => bigint = () => BigInt(Date.now()) * 1_000_000n, private readonly keep = 256) {}

  publish(type: EngineEvent['type'], action: string, id: string, attributes: Record<string, string> = {}): void {
    const event: EngineEvent = { type, action, actor: { id, attributes }, timeNano: this.now() }
    this.recent.push(event)
    if (this.recent.length > this.keep) this.recent.shift()
    for (const l of this.listeners) l(event)
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Events kept in memory, oldest first (for `since`). */
  history(): readonly EngineEvent[] {
    return this.recent
  }
}
