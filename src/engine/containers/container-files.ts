/** Writes a container's /etc/hostname, /etc/hosts and /etc/resolv.conf sources into its directory. */
import { chown, readFile } from 'node:fs/promises'
import { writeFileAtomic } from '../../common/index.js'
import { buildHostname, buildHosts, buildResolvConf } from './etc-files.js'
import type { ContainerRecord } from './types.js'

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

export async function writeEtcFiles(record: ContainerRecord, host: { resolvConfPath: string; hostsPath: string }): Promise<void> {
  const hs = record.spec.host
  const hostNetwork = hs.networkMode === 'host'
  const hostname = record.spec.hostname || record.id.slice(0, 12)
  const resolv = buildResolvConf((await readIfExists(host.resolvConfPath)) ?? '', {
    hostNetwork, dns: hs.dns, dnsSearch: hs.dnsSearch, dnsOptions: hs.dnsOptions,
  })
  const hosts = buildHosts({
    hostNetwork,
    hostHostsContent: hostNetwork ? await readIfExists(host.hostsPath) : undefined,
    hostname,
    extraHosts: hs.extraHosts,
  })
  // Not fsynced (as dockerd's os.WriteFile): derived from the record, and hosts is rebuilt at every start.
  await Promise.all([
    writeFileAtomic(record.hostnamePath, buildHostname(hostname), { durable: false }),
    writeFileAtomic(record.hostsPath, hosts, { durable: false }),
    writeFileAtomic(record.resolvConfPath, resolv, { durable: false }),
  ])
}

/** Gives a user-namespaced container's root its /etc/hostname, /etc/hosts and /etc/resolv.conf (it edits them as root does elsewhere). */
export async function chownEtcFiles(record: ContainerRecord, owner: { uid: number; gid: number }): Promise<void> {
  for (const path of [record.hostnamePath, record.hostsPath, record.resolvConfPath]) {
    await chown(path, owner.uid, owner.gid).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err
    })
  }
}
