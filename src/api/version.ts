import { EngineError, compareVersions } from '../common/index.js'

/** Dotted API versions compare numerically ("1.9" < "1.24"). */
export const compareApiVersions = compareVersions

/** The API version berth speaks (Docker 28) and the oldest one it still serves. */
export const maxApiVersion = '1.50'
export const minApiVersion = '1.24'


/** Splits "/v1.43/containers/json" into version "1.43" and path "/containers/json"; unversioned paths keep version undefined. */
export function splitVersionPrefix(pathname: string): { version: string | undefined; path: string } {
  const m = /^\/v([0-9.]+)(\/.*)?$/.exec(pathname)
  if (!m) return { version: undefined, path: pathname }
  return { version: m[1], path: m[2] ?? '/' }
}

/**
 * The version a request is served at: the one in its path, or the maximum when it has none.
 * Throws InvalidArgument (400) with moby's wording when the version is outside [min, max].
 */
export function negotiateApiVersion(requested: string | undefined): string {
  if (requested === undefined || requested === '') return maxApiVersion
  if (compareApiVersions(requested, minApiVersion) < 0) {
    throw new EngineError('InvalidArgument', 'API_VERSION_TOO_OLD',
      `client version ${requested} is too old. Minimum supported API version is ${minApiVersion}, please upgrade your client to a newer version`)
  }
  if (compareApiVersions(requested, maxApiVersion) > 0) {
    throw new EngineError('InvalidArgument', 'API_VERSION_TOO_NEW',
      `client version ${requested} is too new. Maximum supported API version is ${maxApiVersion}`)
  }
  return requested
}
