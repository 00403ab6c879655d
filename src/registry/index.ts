// OCI distribution: the HTTP registry client the daemon hands to the engine, and berth's own
// registry server. Imports common/ and engine types only; never api/, cli/ or daemon/.
export { HttpRegistryClient, isInsecure, type HttpRegistryClientOptions } from './client/registry-client.js'
export { parseWwwAuthenticate, type AuthChallenge } from './client/www-authenticate.js'
export { createRegistryServer, listenRegistry, parseHtpasswd, type RegistryServerOptions } from './server/registry-server.js'
