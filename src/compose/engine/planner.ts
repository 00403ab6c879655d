/**
 * The pure half of `up`: from one service's desired state and the containers that exist for it,
 * decide which containers stay, which are recreated, which go (scale down) and which numbers are
 * created. Docker Compose's convergence rules (pkg/compose/convergence.go ensureService).
 */

/** A container of the project as `up` sees it (from the list API and its labels). */
export interface ObservedContainer {
  id: string
  /** Name without the leading slash. */
  name: string
  service: string
  /** com.docker.compose.container-number; NaN when missing or invalid. */
  number: number
  /** "running", "exited", "created", "paused", "restarting"... */
  state: string
  configHash: string | undefined
  /** com.docker.compose.image: the image id the container was created from. */
  imageId: string | undefined
  oneoff: boolean
  /** Unix seconds. */
  created: number
}

export type RecreatePolicy = 'diverged' | 'force' | 'never'

export interface ServicePlanInput {
  /** Desired number of containers. */
  scale: number
  configHash: string
  /** Id of the image the service should run now; undefined when unknown (then images are not compared). */
  imageId: string | undefined
  /** Non-one-off containers of this service. */
  containers: ObservedContainer[]
  recreate: RecreatePolicy
}

export interface ServicePlan {
  /** Up to date: kept (started later if not running). Lowest numbers first. */
  keep: ObservedContainer[]
  /** Diverged (or --force-recreate): replaced by a new container with the same number. */
  recreate: ObservedContainer[]
  /** Scale down: obsolete ones and the highest numbers. */
  remove: ObservedContainer[]
  /** Container numbers to create (scale up), after the highest existing number. */
  create: number[]
}

/** Whether a container no longer matches the service (Compose's mustRecreate). */
export function mustRecreate(container: ObservedContainer, input: Pick<ServicePlanInput, 'configHash' | 'imageId' | 'recreate'>): boolean {
  if (input.recreate === 'never') return false
  if (input.recreate === 'force') return true
  if (container.configHash !== input.configHash) return true
  return input.imageId !== undefined && container.imageId !== input.imageId
}

export function planService(input: ServicePlanInput): ServicePlan {
  const obsolete = (c: ObservedContainer): boolean => mustRecreate(c, input)
  // Keepers first (lowest numbers first), then obsolete ones: removal takes from the end.
  const sorted = [...input.containers].sort((a, b) => {
    const oa = obsolete(a)
    const ob = obsolete(b)
    if (oa !== ob) return oa ? 1 : -1
    if (!Number.isNaN(a.number) && !Number.isNaN(b.number) && a.number !== b.number) return a.number - b.number
    return b.created - a.created
  })
  const plan: ServicePlan = { keep: [], recreate: [], remove: [], create: [] }
  sorted.forEach((c, i) => {
    if (i >= input.scale) plan.remove.push(c)
    else if (obsolete(c)) plan.recreate.push(c)
    else plan.keep.push(c)
  })
  let next = Math.max(0, ...input.containers.map((c) => (Number.isNaN(c.number) ? 0 : c.number))) + 1
  for (let i = input.containers.length; i < input.scale; i++) plan.create.push(next++)
  return plan
}
