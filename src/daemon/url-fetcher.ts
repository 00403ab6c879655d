/**
 * The builder's UrlFetcher (ADD <url>) over node:http/https. It trusts what the global fetch
 * trusted when node loaded NODE_EXTRA_CA_CERTS at start-up: node's root CAs plus that file.
 * bin/berthd keeps node from loading the file at start-up (start-env.ts), so it is read here, on
 * the first https request that needs it, and kept for the next ones.
 */
import { readFileSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import type { SecureContext } from 'node:tls'
import type { UrlFetcher } from '../engine/build/index.js'

/** As fetch(): at most 20 redirects, each resolved against the URL that answered it. */
const MAX_REDIRECTS = 20
const REDIRECTS = new Set([301, 302, 303, 307, 308])

export interface UrlFetcherOptions {
  /** The extra CA file (PEM) to trust beside node's roots; read on first use. */
  extraCaFile: () => string | undefined
}

export function createUrlFetcher(opts: UrlFetcherOptions): UrlFetcher {
  // undefined: not decided yet; null: node's default roots.
  let context: SecureContext | null | undefined
  const secureContext = (): SecureContext | null => {
    if (context !== undefined) return context
    const file = opts.extraCaFile()
    let extra: Buffer | undefined
    try {
      extra = file ? readFileSync(file) : undefined
    } catch {
      // As node at start-up: an unreadable file adds nothing.
    }
    const tls = process.getBuiltinModule('node:tls')
    context = extra ? tls.createSecureContext({ ca: [...tls.rootCertificates, extra] }) : null
    return context
  }

  const get = (url: URL, signal: AbortSignal | undefined): Promise<IncomingMessage> => new Promise((resolve, reject) => {
    const https = url.protocol === 'https:'
    if (!https && url.protocol !== 'http:') {
      reject(new Error(`unsupported URL scheme ${url.protocol.replace(/:$/, '')}`))
      return
    }
    const ctx = https ? secureContext() : null
    const mod = process.getBuiltinModule(https ? 'node:https' : 'node:http')
    const req = mod.request(url, {
      method: 'GET',
      headers: { Accept: '*/*' },
      ...(signal ? { signal } : {}),
      // No pooled connection: one made with another CA set must not be reused.
      agent: false,
      ...(ctx ? { secureContext: ctx } : {}),
    }, resolve)
    req.on('error', reject)
    req.end()
  })

  return async (url, signal) => {
    let current = new URL(url)
    for (let redirects = 0; ; redirects++) {
      const res = await get(current, signal)
      const status = res.statusCode ?? 0
      const location = res.headers.location
      if (!REDIRECTS.has(status) || !location) {
        const lastModified = res.headers['last-modified']
        return { status, statusText: res.statusMessage ?? '', ...(lastModified ? { lastModified } : {}), body: res }
      }
      res.destroy()
      if (redirects === MAX_REDIRECTS) throw new Error('redirect count exceeded')
      current = new URL(location, current)
    }
  }
}
