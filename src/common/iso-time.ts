/**
 * Date#toISOString without V8's date cache: the first toISOString (or toUTCString, JSON.stringify of a
 * Date, any local-time getter) makes V8 set up its time-zone cache through ICU, ~0.9 MB of RSS that
 * berthd would keep for good; the UTC getters need none of it. Same output as toISOString, and the
 * same RangeError for an invalid date. Pure.
 */
export function isoTime(date: Date | number = Date.now()): string {
  const d = typeof date === 'number' ? new Date(date) : date
  const t = d.getTime()
  if (Number.isNaN(t)) throw new RangeError('Invalid time value')
  const year = d.getUTCFullYear()
  if (year < 0 || year > 9999) return d.toISOString() // ±YYYYYY: not worth a second formatter
  return `${pad(year, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}Z`
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/**
 * An HTTP Date header value ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110's IMF-fixdate), as
 * Date#toUTCString gives it, without V8's time-zone cache (see isoTime). Pure.
 */
export function httpDate(date: Date | number = Date.now()): string {
  const d = typeof date === 'number' ? new Date(date) : date
  if (Number.isNaN(d.getTime())) throw new RangeError('Invalid time value')
  const year = d.getUTCFullYear()
  if (year < 0 || year > 9999) return d.toUTCString()
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${pad(year, 4)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} GMT`
}
