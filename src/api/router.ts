import FindMyWay from 'find-my-way'
import type { RequestContext, RouteDeps } from './context.js'

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE'

/** Decodes the request, makes one engine call, encodes the answer. Thrown errors go to api/errors.ts. */
export type RouteHandler = (ctx: RequestContext, deps: RouteDeps) => Promise<void>

export interface Route {
  method: HttpMethod
  /** find-my-way syntax: "/containers/:id/json", "/images/*". Without the "/v1.NN" prefix. */
  path: string
  handler: RouteHandler
}

export interface ApiRouter {
  find(method: string, path: string): { route: Route; params: Record<string, string> } | undefined
}

export function createRouter(routes: readonly Route[]): ApiRouter {
  const fmw = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: 1024 })
  for (const route of routes) fmw.on(route.method, route.path, () => undefined, route)
  return {
    find(method, path) {
      const found = fmw.find(method as FindMyWay.HTTPMethod, path)
      if (!found) return undefined
      const params: Record<string, string> = {}
      for (const [k, v] of Object.entries(found.params)) if (v !== undefined) params[k] = v
      return { route: found.store as Route, params }
    },
  }
}
