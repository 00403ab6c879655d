/**
 * Pure builders for the files bind-mounted at /etc/hostname, /etc/hosts and /etc/resolv.conf,
 * following libnetwork (etchosts, resolvconf) so their content looks like Docker's.
 */

/** /etc/hostname content. */
export function buildHostname(hostname: string): string {
  return `${hostname}\n`
}

const DEFAULT_HOSTS: ReadonlyArray<[string, string]> = [
  ['127.0.0.1', 'localhost'],
  ['::1', 'localhost ip6-localhost ip6-loopback'],
  ['fe00::', 'ip6-localnet'],
  ['ff00::', 'ip6-mcastprefix'],
  ['ff02::1', 'ip6-allnodes'],
  ['ff02::2', 'ip6-allrouters'],
]

/**
 * Parses `--add-host` entries: "name:ip" (split at the first ":", so IPv6 addresses work) or
 * "name=ip". "host-gateway" is replaced by hostGatewayIp, or the entry is dropped without one.
 */
export function parseExtraHosts(extraHosts: readonly string[], hostGatewayIp?: string): Array<[ip: string, name: string]> {
  const out: Array<[string, string]> = []
  for (const entry of extraHosts) {
    const eq = entry.indexOf('=')
    const colon = entry.indexOf(':')
    const sep = eq > 0 && (colon < 0 || eq < colon) ? eq : colon
    if (sep <= 0) continue
    const name = entry.slice(0, sep)
    let ip = entry.slice(sep + 1).replace(/^\[(.*)\]$/, '$1')
    if (ip === 'host-gateway') {
      if (!hostGatewayIp) continue
      ip = hostGatewayIp
    }
    if (ip !== '') out.push([ip, name])
  }
  return out
}

/**
 * /etc/hosts: the host's file for the host network, else Docker's default localhost entries, then
 * the container's own addresses (`<ip>\t<hostname>`) and the extra hosts.
 */
export function buildHosts(opts: {
  hostNetwork: boolean
  hostHostsContent?: string
  hostname: string
  addresses?: readonly string[]
  extraHosts?: readonly string[]
  hostGatewayIp?: string
}): string {
  let out: string
  if (opts.hostNetwork && opts.hostHostsContent !== undefined) {
    out = opts.hostHostsContent
    if (out !== '' && !out.endsWith('\n')) out += '\n'
  } else {
    out = DEFAULT_HOSTS.map(([ip, names]) => `${ip}\t${names}\n`).join('')
  }
  for (const ip of opts.addresses ?? []) out += `${ip}\t${opts.hostname}\n`
  for (const [ip, name] of parseExtraHosts(opts.extraHosts ?? [], opts.hostGatewayIp)) out += `${ip}\t${name}\n`
  return out
}

const DEFAULT_NAMESERVERS = ['8.8.8.8', '8.8.4.4']

function isLocalhost(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || address === '0:0:0:0:0:0:0:1'
}

/**
 * /etc/resolv.conf from the host's: for the host network an unchanged copy; otherwise localhost
 * nameservers (127.0.0.0/8, ::1) are removed since they are unreachable from a network namespace,
 * and Google's public servers are used when none remain (libnetwork's fallback). dns, dnsSearch and
 * dnsOptions replace the nameserver, search/domain and options lines.
 */
export function buildResolvConf(hostContent: string, opts: {
  hostNetwork: boolean
  dns?: readonly string[]
  dnsSearch?: readonly string[]
  dnsOptions?: readonly string[]
}): string {
  const dns = opts.dns ?? []
  const search = opts.dnsSearch ?? []
  const options = opts.dnsOptions ?? []
  if (opts.hostNetwork && dns.length === 0 && search.length === 0 && options.length === 0) return hostContent

  const other: string[] = []
  const nameservers: string[] = []
  let searchLine: string | undefined
  let optionsLine: string | undefined
  for (const raw of hostContent.split('\n')) {
    const line = raw.trim()
    const [keyword, ...rest] = line.split(/\s+/)
    if (keyword === 'nameserver') {
      const address = rest[0]
      if (address !== undefined && (opts.hostNetwork || !isLocalhost(address.split('%')[0] ?? address))) nameservers.push(address)
    } else if (keyword === 'search' || keyword === 'domain') {
      searchLine = `search ${rest.join(' ')}`
    } else if (keyword === 'options') {
      optionsLine = line
    } else if (line !== '') {
      other.push(raw)
    }
  }
  const servers = dns.length > 0 ? [...dns] : nameservers.length > 0 ? nameservers : DEFAULT_NAMESERVERS
  if (search.length > 0) searchLine = search.includes('.') ? undefined : `search ${search.join(' ')}`
  if (options.length > 0) optionsLine = `options ${options.join(' ')}`

  const lines = [...other, ...servers.map((s) => `nameserver ${s}`)]
  if (searchLine !== undefined) lines.push(searchLine)
  if (optionsLine !== undefined) lines.push(optionsLine)
  return lines.join('\n') + '\n'
}
