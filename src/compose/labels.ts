/**
 * Docker Compose's resource labels and names, so that `docker compose` (v2) and `berth compose`
 * recognise each other's projects. Every container, network and volume a project creates carries
 * these; commands find a project's resources by the project label, never by name.
 */
export const LABEL_PROJECT = 'com.docker.compose.project'
export const LABEL_SERVICE = 'com.docker.compose.service'
export const LABEL_CONTAINER_NUMBER = 'com.docker.compose.container-number'
/** "True" for `compose run` containers, "False" otherwise. */
export const LABEL_ONEOFF = 'com.docker.compose.oneoff'
/** sha256 of the service's normalized config: `up` recreates a container when it differs. */
export const LABEL_CONFIG_HASH = 'com.docker.compose.config-hash'
export const LABEL_WORKING_DIR = 'com.docker.compose.project.working_dir'
/** Comma-separated absolute config file paths. */
export const LABEL_CONFIG_FILES = 'com.docker.compose.project.config_files'
export const LABEL_ENVIRONMENT_FILE = 'com.docker.compose.project.environment_file'
export const LABEL_VERSION = 'com.docker.compose.version'
/** "svc:condition:restart" entries joined by commas, as Compose v2 writes them. */
export const LABEL_DEPENDS_ON = 'com.docker.compose.depends_on'
/** Image id the container was created from (detects a rebuilt image). */
export const LABEL_IMAGE = 'com.docker.compose.image'
/** On networks and volumes: the key in the compose file. */
export const LABEL_NETWORK = 'com.docker.compose.network'
export const LABEL_VOLUME = 'com.docker.compose.volume'
/** Version berth reports in LABEL_VERSION (the Compose v2 release whose behaviour it follows). */
export const COMPOSE_VERSION = '2.29.0'

/** `project-service-N` (Compose v2 naming; container_name overrides it for a single replica). */
export function containerName(project: string, service: string, number: number, oneoff = false): string {
  return oneoff ? `${project}-${service}-run-${number}` : `${project}-${service}-${number}`
}

/** Engine name of a project-scoped network or volume: `project_key`. */
export function scopedName(project: string, key: string): string {
  return `${project}_${key}`
}

/** Compose's project name normalization: lower case, only [a-z0-9_-], starting with a letter or digit. */
export function normalizeProjectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[^a-z0-9]+/, '')
}
