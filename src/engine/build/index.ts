// Build: Dockerfile parser, instructions, the builder with its layer cache, build contexts.
// Imports common/, images/, layers/ and containers/ (through their index) and only types from
// runtime/; never api/, node:http or node:child_process (tar(1) runs through an injected exec).
export type { BuildEvent, BuildOptions, BuildPruneResult, BuildResult, BuildService, BuildState, LayerCommitter, UrlFetcher, UrlResponse } from './types.js'
export { Builder, neededStages, type BuilderDeps } from './builder.js'
export { StepWorkspace, type StepWorkspaceDeps } from './step-workspace.js'
export type { LentNetwork, RunNetwork } from './run-network.js'
export { parseDockerfile, DockerfileParseError, INSTRUCTIONS, type DockerfileNode, type Heredoc, type ParsedDockerfile } from './dockerfile-parser.js'
export { toStages, parseInstruction, type Dockerfile, type Instruction, type Stage, type Step } from './instructions.js'
export { expandWord, expandWords } from './shell-words.js'
