/**
 * RunNetwork: the network a RUN step's container joins. Docker gives RUN the default bridge (the
 * classic builder runs each step as a container there, BuildKit as a process in a namespace on it), so
 * RUN reaches what containers reach. The daemon lends each RUN a network namespace on that bridge
 * for as long as it runs; the next RUN may get the same one again.
 */
export interface RunNetwork {
  /**
   * A namespace on the default bridge, the caller's alone until release(). Rejects when none can be
   * made (no default bridge, the host refused).
   */
  acquire(): Promise<LentNetwork>
}

export interface LentNetwork {
  /** The namespace file the RUN container joins. */
  netnsPath: string
  /** The addresses the RUN has there (for its /etc/hosts). */
  ipv4: string
  ipv6?: string
  /** What /etc/resolv.conf holds (the host's, without nameservers a namespace cannot reach). */
  resolvConf: string
  /** Gives the namespace back, once no process of the RUN is left in it. */
  release(): void
}
