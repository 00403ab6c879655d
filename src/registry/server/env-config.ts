/**
 * berth's registry image reads the environment variables of Distribution's `registry:2` image that
 * apply to it. Pure: the caller reads files and listens.
 */
export interface RegistryEnvConfig {
  /** "host:port" for listenRegistry; ":5000" (Distribution's form) listens on every IPv4 address. */
  addr: string
  root: string
  htpasswd?: { path: string; realm: string }
  tls?: { cert: string; key: string }
  /** REGISTRY_STORAGE_DELETE_ENABLED=true; off by default, as in registry:2. */
  deleteEnabled: boolean
}

export const REGISTRY_DEFAULTS = { addr: '0.0.0.0:5000', root: '/var/lib/registry', realm: 'Registry Realm' }

/** Throws an Error with a message naming the variable for settings berth's registry cannot honour. */
export function registryConfigFromEnv(env: Record<string, string | undefined>): RegistryEnvConfig {
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim()
    return v === undefined || v === '' ? undefined : v
  }
  let addr = get('REGISTRY_HTTP_ADDR') ?? REGISTRY_DEFAULTS.addr
  if (addr.startsWith(':')) addr = `0.0.0.0${addr}`
  const port = addr.slice(addr.lastIndexOf(':') + 1)
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new Error(`REGISTRY_HTTP_ADDR: invalid address "${addr}" (want HOST:PORT or :PORT)`)
  const storage = get('REGISTRY_STORAGE')
  if (storage !== undefined && storage !== 'filesystem') throw new Error(`REGISTRY_STORAGE: only the filesystem driver is supported, not "${storage}"`)
  const deleteEnabled = get('REGISTRY_STORAGE_DELETE_ENABLED')?.toLowerCase()
  if (deleteEnabled !== undefined && deleteEnabled !== 'true' && deleteEnabled !== 'false') {
    throw new Error(`REGISTRY_STORAGE_DELETE_ENABLED: want true or false, not "${deleteEnabled}"`)
  }
  const config: RegistryEnvConfig = { addr, root: get('REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY') ?? REGISTRY_DEFAULTS.root, deleteEnabled: deleteEnabled === 'true' }

  const auth = get('REGISTRY_AUTH')
  const htpasswdPath = get('REGISTRY_AUTH_HTPASSWD_PATH')
  if (auth !== undefined && auth !== 'htpasswd') throw new Error(`REGISTRY_AUTH: only htpasswd is supported, not "${auth}"`)
  if (auth === 'htpasswd' || htpasswdPath !== undefined) {
    if (htpasswdPath === undefined) throw new Error('REGISTRY_AUTH=htpasswd needs REGISTRY_AUTH_HTPASSWD_PATH')
    config.htpasswd = { path: htpasswdPath, realm: get('REGISTRY_AUTH_HTPASSWD_REALM') ?? REGISTRY_DEFAULTS.realm }
  }

  const cert = get('REGISTRY_HTTP_TLS_CERTIFICATE')
  const key = get('REGISTRY_HTTP_TLS_KEY')
  if ((cert === undefined) !== (key === undefined)) throw new Error('REGISTRY_HTTP_TLS_CERTIFICATE and REGISTRY_HTTP_TLS_KEY go together')
  if (cert !== undefined && key !== undefined) config.tls = { cert, key }
  return config
}
