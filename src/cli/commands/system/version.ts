import { MAX_API_VERSION, type SystemVersion } from '../../../client/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { CliError, describeError } from '../../render/errors.js'
import { formatColumns, renderTemplate, goJson } from '../../../format/index.js'
import { BERTH_VERSION } from '../../version.js'

const GO_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' }

export const goArch = (arch: string = process.arch): string => GO_ARCH[arch] ?? arch

/** `berth version`: client details, then the daemon's components, like docker version. */
export const versionCommand: CommandHandler = async (ctx, _args, options) => {
  const { format } = options as { format?: string }
  const client = ctx.client()
  let apiVersion = MAX_API_VERSION
  let server: SystemVersion | undefined
  let failure: unknown
  try {
    apiVersion = await client.apiVersion()
    server = await client.version()
  } catch (err) {
    failure = err
  }
  const clientInfo = {
    Version: BERTH_VERSION,
    ApiVersion: apiVersion,
    DefaultAPIVersion: MAX_API_VERSION,
    NodeVersion: process.version,
    Os: process.platform,
    Arch: goArch(),
    Context: 'default',
  }
  if (format) {
    const data = { Client: clientInfo, Server: server ?? null }
    // Templates see Go field names (APIVersion), --format json the JSON names (ApiVersion), as in docker.
    const templateData = {
      Client: { ...clientInfo, APIVersion: clientInfo.ApiVersion },
      Server: server ? { ...server, APIVersion: server.ApiVersion } : null,
    }
    const text = format === 'json' ? goJson(data) : renderTemplate(format, templateData, { strictStructs: true })
    ctx.io.stdout.write(`${text}\n`)
  } else {
    let text = 'Client:\n'
    text += ` Version:\t${clientInfo.Version}\n`
    const downgraded = apiVersion !== MAX_API_VERSION ? ` (downgraded from ${MAX_API_VERSION})` : ''
    text += ` API version:\t${apiVersion}${downgraded}\n`
    text += ` Node version:\t${clientInfo.NodeVersion}\n`
    text += ` OS/Arch:\t${clientInfo.Os}/${clientInfo.Arch}\n`
    text += ` Context:\t${clientInfo.Context}\n`
    if (server) text += `\n${serverSection(server)}`
    ctx.io.stdout.write(formatColumns(text, { minWidth: 20, padding: 1 }))
  }
  if (failure !== undefined) throw new CliError(describeError(failure), 1)
}

function serverSection(server: SystemVersion): string {
  let text = `Server:${server.Platform?.Name ? ` ${server.Platform.Name}` : ''}\n`
  const components = server.Components?.length
    ? server.Components
    : [{ Name: 'Engine', Version: server.Version, Details: {} as Record<string, string> }]
  for (const component of components) {
    const details = component.Details ?? {}
    text += ` ${component.Name}:\n`
    text += `  Version:\t${component.Version}\n`
    if (component.Name !== 'Engine') {
      for (const key of Object.keys(details).sort()) text += `  ${key}:\t${details[key]}\n`
      continue
    }
    const detail = (key: string, fallback: unknown): string => details[key] ?? String(fallback ?? '')
    text += `  API version:\t${detail('ApiVersion', server.ApiVersion)} (minimum version ${detail('MinAPIVersion', server.MinAPIVersion)})\n`
    const goVersion = detail('GoVersion', server.GoVersion)
    if (goVersion !== '') text += `  Go version:\t${goVersion}\n`
    const commit = detail('GitCommit', server.GitCommit)
    if (commit !== '') text += `  Git commit:\t${commit}\n`
    const built = detail('BuildTime', server.BuildTime)
    if (built !== '') text += `  Built:\t${built}\n`
    text += `  OS/Arch:\t${detail('Os', server.Os)}/${detail('Arch', server.Arch)}\n`
    text += `  Experimental:\t${detail('Experimental', server.Experimental ?? false)}\n`
  }
  return text
}
