/**
 * moby's jsonmessage.RFC3339NanoFixed: always nine fractional digits, so timestamped log lines
 * align ("2024-05-01T10:00:00.120000000Z").
 */
export function rfc3339NanoFixed(time: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time)
  if (!m) return time
  const fraction = (m[2] ?? '').slice(0, 9).padEnd(9, '0')
  return `${m[1]}.${fraction}${m[3]}`
}

/** A Docker timestamp parameter ("1700000000", "1700000000.5", "1700000000.000000001") as unix nanoseconds. */
export function parseUnixTimestampNanos(value: string): bigint | undefined {
  const m = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(value.trim())
  if (!m) return undefined
  const seconds = BigInt(m[1] as string)
  const nanos = BigInt((m[2] ?? '').padEnd(9, '0') || '0')
  return seconds * 1_000_000_000n + (seconds < 0n ? -nanos : nanos)
}
