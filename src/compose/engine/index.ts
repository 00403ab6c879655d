// The compose reconciler: ComposeProject + EngineClient -> containers, networks, volumes, images.
// Imports only client/, common/ and compose/ (model, labels); never engine/, api/ code, cli/ or daemon/.
export { ComposeEngine, type ComposeEngineDeps, type CreateOptions, type OneOffOptions, type UpOptions, type UpResult } from './compose-engine.js'
export { projectDown, type DownOptions } from './project-down.js'
export { serviceConfigHash, stableJson } from './config-hash.js'
export { dependencyOrder, serviceDependencies, withDependencies, checkServiceNames } from './dependency-order.js'
export { planService, mustRecreate, type ObservedContainer, type RecreatePolicy, type ServicePlan } from './planner.js'
export { projectContainers, observe, byNumber } from './observed-state.js'
export { serviceCreateRequest, networksByPriority, type ServiceRequestOptions } from './service-request.js'
export { servicesHealthy, startService } from './converge.js'
export { serviceImageName, buildInputsHash, LABEL_BUILD_HASH, type ContextArchiver, type BuildOptions } from './service-images.js'
export type { ProgressEvent, ProgressSink, ProgressState } from './progress.js'
