/**
 * How bin/berthd starts node, and what main.ts gives back to the environment before anything else
 * runs. The shebang (scripts/bundle.mjs writes BERTHD_SHEBANG) sets:
 * - GLIBC_TUNABLES: berthd's malloc settings (malloc-tunables.ts);
 * - NODE_EXTRA_CA_CERTS is unset and its value passed on as BERTH_EXTRA_CA_CERTS: node parses the
 *   whole file before any JavaScript runs, and keeps it (a system bundle costs ~1.6 MB of idle RSS
 *   and ~60 ms of start-up here), though an idle daemon makes no TLS connection. What needs those
 *   CAs reads the file when first used (url-fetcher.ts).
 * env -S expands an unset variable to "", so BERTH_EXTRA_CA_CERTS is always set.
 */
import { BERTHD_GLIBC_TUNABLES } from './malloc-tunables.js'

export const BERTHD_SHEBANG = `#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS GLIBC_TUNABLES=${BERTHD_GLIBC_TUNABLES} BERTH_EXTRA_CA_CERTS=\${NODE_EXTRA_CA_CERTS} node`

/**
 * Gives NODE_EXTRA_CA_CERTS back its value and removes BERTH_EXTRA_CA_CERTS from env (process.env at
 * start-up), so that the processes berthd starts see the environment berthd was started with.
 */
export function restoreExtraCaCerts(env: NodeJS.ProcessEnv): void {
  const file = env.BERTH_EXTRA_CA_CERTS
  if (file === undefined) return
  delete env.BERTH_EXTRA_CA_CERTS
  if (file !== '' && env.NODE_EXTRA_CA_CERTS === undefined) env.NODE_EXTRA_CA_CERTS = file
}
