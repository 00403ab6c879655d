import type { ComposeProject } from './types.js'

export interface RenderConfigOptions {
  format: 'yaml' | 'json'
}

/**
 * `compose config` output: the normalized project in Docker Compose's canonical YAML/JSON
 * (long syntax, Go-style durations like "1m30s", sizes as Compose prints them).
 * (Placeholder signature: the compose-model work replaces this body.)
 */
export function renderConfig(project: ComposeProject, options: RenderConfigOptions): string {
  return options.format === 'json' ? JSON.stringify({ name: project.name }) : `name: ${project.name}\n`
}
