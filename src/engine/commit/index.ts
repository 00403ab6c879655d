// docker commit: an image from a container's writable layer. Imports containers/, images/ and layers/ contracts.
export { ContainerCommit, mergedConfig, type CommitRequest, type ContainerCommitDeps } from './container-commit.js'
