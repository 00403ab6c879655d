// Networks: bridge/host/none networks, IPAM, published ports, embedded DNS and the container hook
// that plugs them into containers. Imports common/, containers/ and events/; only types from sys/.
export * from './types.js'
export { NetworkManager, isUserDefined, PREDEFINED, type NetworkManagerDeps } from './network-manager.js'
export { ContainerNetworking, parseNetworkMode, type NetworkMode } from './container-networking.js'
export { RunSandboxes, type LentSandbox, type RunSandboxesOptions } from './run-sandboxes.js'
export { parseAddressPool, DEFAULT_POOLS, type AddressPool } from './ipam.js'
export { parsePortKey } from './ports.js'
export type { SandboxState } from './network-store.js'
