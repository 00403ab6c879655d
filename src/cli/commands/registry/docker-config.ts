import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { parseNormalizedNamed } from '../../../format/index.js'

/** Docker Hub's key in config.json auths. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/'

export interface DockerConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string }>
  [key: string]: unknown
}

/** $DOCKER_CONFIG/config.json, else ~/.docker/config.json (as the docker CLI). */
export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  return join(env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'), 'config.json')
}

export function readDockerConfig(env: NodeJS.ProcessEnv): DockerConfigFile {
  try {
    return JSON.parse(readFileSync(dockerConfigPath(env), 'utf8')) as DockerConfigFile
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new Error(`loading config file ${dockerConfigPath(env)}: ${(err as Error).message}`)
  }
}

/** Writes atomically with mode 0600, keeping every other key. */
export function writeDockerConfig(env: NodeJS.ProcessEnv, config: DockerConfigFile): void {
  const path = dockerConfigPath(env)
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 })
  const tmp = `${path}.tmp-${process.pid}`
  writeFileSync(tmp, JSON.stringify(config, null, '\t'), { mode: 0o600 })
  renameSync(tmp, path)
}

/** "localhost:5000" stays; Docker Hub names become its auth key; a scheme or path is dropped. */
export function authKeyFor(server: string | undefined): string {
  if (!server) return DOCKER_HUB_AUTH_KEY
  const host = server.replace(/^https?:\/\//, '').replace(/\/.*$/, '')
  if (host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io') return DOCKER_HUB_AUTH_KEY
  return host
}

/** The registry host of an image reference ("busybox" -> Docker Hub's key). */
export function authKeyForImage(ref: string): string {
  const { name } = parseNormalizedNamed(ref)
  return authKeyFor(name.split('/')[0])
}

export interface StoredCredentials {
  username: string
  password: string
  serveraddress: string
}

export function credentialsFor(env: NodeJS.ProcessEnv, key: string): StoredCredentials | undefined {
  const auths = readDockerConfig(env).auths ?? {}
  const entry = auths[key] ?? auths[`https://${key}`] ?? auths[`http://${key}`]
  if (!entry?.auth) return undefined
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: key }
}

/** X-Registry-Auth: base64url of the JSON credentials ("e30=" for none, as docker sends). */
export function encodeRegistryAuth(creds: StoredCredentials | undefined): string {
  return Buffer.from(JSON.stringify(creds ?? {})).toString('base64url')
}

export function registryAuthForImage(env: NodeJS.ProcessEnv, ref: string): string {
  return encodeRegistryAuth(credentialsFor(env, authKeyForImage(ref)))
}
