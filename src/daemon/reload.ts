/**
 * SIGHUP: dockerd's Reload for the settings berthd has. dockerd reloads debug/log level, labels,
 * insecure registries, registry mirrors, max concurrent downloads/uploads, default runtime and
 * runtimes, live-restore, shutdown timeout and features; berthd applies debug/log level, labels,
 * insecure registries and max concurrent downloads/uploads live. Other settings that changed in the file are reported as needing a
 * restart (dockerd ignores them silently). A file that does not parse leaves everything as it was.
 */
import type { LogLevel } from '../common/index.js'
import type { DaemonConfig } from './config.js'

/** What a reload can change in the running daemon. */
export interface ReloadTargets {
  setLogLevel(level: LogLevel): void
  setDebug(debug: boolean): void
  setLabels(labels: string[]): void
  setInsecureRegistries(registries: string[]): void
  setTransfers(limits: { downloads: number; uploads: number }): void
  /** The `daemon reload` event (dockerd: LogDaemonEventWithAttributes). */
  publishReload(attributes: Record<string, string>): void
}

export interface ReloadResult {
  /** The configuration now in effect: `next` for reloadable settings, `current` for the others. */
  config: DaemonConfig
  /** Reloadable settings whose value changed, by daemon.json key ("labels", "log-level", "max-concurrent-downloads"...). */
  applied: string[]
  /** Settings that changed but only take effect after a restart (daemon.json key names). */
  needRestart: string[]
  /** The reload event's attributes: every reloadable setting's value after the reload. */
  attributes: Record<string, string>
}

/** Settings that need a restart, by daemon.json key. */
const RESTART_ONLY: ReadonlyArray<[string, (c: DaemonConfig) => unknown]> = [
  ['hosts', (c) => c.hosts],
  ['data-root', (c) => c.dataRoot],
  ['exec-root', (c) => c.execRoot],
  ['pidfile', (c) => c.pidfile],
  ['default-runtime', (c) => c.runtime],
  ['group', (c) => c.group],
  ['tls', (c) => [c.tls, c.insecureTcpAllowed]],
  ['bip', (c) => c.bip],
  ['bridge-name', (c) => c.bridgeName],
  ['net-prefix', (c) => c.netPrefix],
  ['default-address-pools', (c) => c.defaultAddressPools],
  ['firewall-backend', (c) => c.firewallBackend],
  ['userns-remap', (c) => c.usernsRemap],
]

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)

/** Whether -D/--debug (or "debug": true) is in effect: berth folds it into the log level. */
const isDebug = (c: DaemonConfig): boolean => c.logLevel === 'debug'

/** Applies what changed from `current` to `next` to the running daemon (see the file comment). */
export function reloadConfig(current: DaemonConfig, next: DaemonConfig, targets: ReloadTargets): ReloadResult {
  const applied: string[] = []
  if (current.logLevel !== next.logLevel) {
    targets.setLogLevel(next.logLevel)
    applied.push('log-level')
  }
  if (isDebug(current) !== isDebug(next)) {
    targets.setDebug(isDebug(next))
    applied.push('debug')
  }
  const labels = next.labels ?? []
  if (!same(current.labels ?? [], labels)) {
    targets.setLabels(labels)
    applied.push('labels')
  }
  const insecure = next.insecureRegistries ?? []
  if (!same(current.insecureRegistries ?? [], insecure)) {
    targets.setInsecureRegistries(insecure)
    applied.push('insecure-registries')
  }
  const downloads = next.maxConcurrentDownloads ?? 3
  const uploads = next.maxConcurrentUploads ?? 5
  const downloadsChanged = (current.maxConcurrentDownloads ?? 3) !== downloads
  const uploadsChanged = (current.maxConcurrentUploads ?? 5) !== uploads
  if (downloadsChanged || uploadsChanged) {
    targets.setTransfers({ downloads, uploads })
    if (downloadsChanged) applied.push('max-concurrent-downloads')
    if (uploadsChanged) applied.push('max-concurrent-uploads')
  }
  const needRestart = RESTART_ONLY.filter(([, get]) => !same(get(current), get(next))).map(([key]) => key)
  const config: DaemonConfig = {
    ...current, logLevel: next.logLevel, labels, insecureRegistries: insecure, configFile: next.configFile,
    maxConcurrentDownloads: downloads, maxConcurrentUploads: uploads,
  }
  const attributes = {
    debug: String(isDebug(config)),
    'log-level': config.logLevel,
    labels: JSON.stringify(labels),
    'insecure-registries': JSON.stringify(insecure),
    'max-concurrent-downloads': String(downloads),
    'max-concurrent-uploads': String(uploads),
    'default-runtime': config.runtime,
    'live-restore': 'true',
  }
  targets.publishReload(attributes)
  return { config, applied, needRestart, attributes }
}

/** dockerd's ValidateLabel: every daemon label is key=value. */
export function validateDaemonLabels(labels: readonly string[]): void {
  for (const label of labels) {
    if (!label.includes('=')) throw new Error(`bad attribute format: ${label}`)
  }
}
