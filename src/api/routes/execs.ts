import { EngineError, errorMessage, invalid } from '../../common/index.js'
import type { Engine } from '../../engine/engine.js'
import type { ExecRecord, ExecService } from '../../engine/containers/index.js'
import type { Route, RouteHandler } from '../router.js'
import { queryInt, queryString, readJson, sendEmpty, sendJson, type RequestContext } from '../context.js'
import { compareApiVersions } from '../version.js'
import { hijack, muxFrame } from '../stream/index.js'
import type { ContainerTopResponse, ExecCreateRequest, ExecInspect, ExecStartRequest } from '../types/index.js'
import { pumpAttachment } from './container-streams.js'
import { attachWebsocketRoutes } from './attach-websocket.js'

function execs(engine: Engine): ExecService {
  if (!engine.execs) throw new EngineError('NotImplemented', 'EXEC_UNSUPPORTED', 'exec is not supported by this engine')
  return engine.execs
}

function consoleSize(raw: unknown): [number, number] | undefined {
  if (!Array.isArray(raw) || raw.length !== 2) return undefined
  const [h, w] = raw as unknown[]
  return typeof h === 'number' && typeof w === 'number' ? [h, w] : undefined
}

export function execInspectView(exec: ExecRecord): ExecInspect {
  const [entrypoint = '', ...args] = exec.config.cmd
  return {
    CanRemove: false,
    ContainerID: exec.containerId,
    DetachKeys: exec.config.detachKeys ?? '',
    ExitCode: exec.exitCode,
    ID: exec.id,
    OpenStderr: exec.config.attachStderr === true,
    OpenStdin: exec.config.attachStdin === true,
    OpenStdout: exec.config.attachStdout === true,
    ProcessConfig: { arguments: args, entrypoint, privileged: exec.config.privileged === true, tty: exec.config.tty === true, user: exec.config.user ?? '' },
    Running: exec.running,
    Pid: exec.pid,
  }
}

/** POST /containers/{id}/exec */
const create: RouteHandler = async (ctx, { engine }) => {
  const body = (await readJson<ExecCreateRequest>(ctx)) ?? {}
  const { id } = await execs(engine).create(ctx.params.id as string, {
    cmd: body.Cmd ?? [],
    env: body.Env ?? undefined,
    workingDir: body.WorkingDir || undefined,
    user: body.User || undefined,
    privileged: body.Privileged === true,
    tty: body.Tty === true,
    attachStdin: body.AttachStdin === true,
    attachStdout: body.AttachStdout === true,
    attachStderr: body.AttachStderr === true,
    detachKeys: body.DetachKeys || undefined,
    consoleSize: consoleSize(body.ConsoleSize),
  })
  sendJson(ctx, 201, { Id: id })
}

/**
 * POST /exec/{id}/start: with Detach, 200 once the process runs; otherwise the connection is
 * hijacked first (as dockerd), so a process that cannot start reports its error in the stream.
 */
const start: RouteHandler = async (ctx, { engine, logger }) => {
  const service = execs(engine)
  const body = (await readJson<ExecStartRequest>(ctx)) ?? {}
  const exec = service.inspect(ctx.params.id as string)
  const size = consoleSize(body.ConsoleSize)
  if (body.Detach) {
    await service.start(exec.id, { detach: true, consoleSize: size })
    sendEmpty(ctx, 200)
    return
  }
  const tty = exec.config.tty === true
  const multiplexed = !tty && ctx.upgrade !== undefined && compareApiVersions(ctx.apiVersion, '1.42') >= 0
  const conn = hijack(ctx, multiplexed ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream')
  let attachment
  try {
    attachment = await service.start(exec.id, { detach: false, consoleSize: size })
  } catch (err) {
    logger.debug('exec start failed', { exec: exec.id, error: errorMessage(err) })
    const text = Buffer.from(errorMessage(err) + '\r\n')
    if (conn.output.writable) conn.output.end(tty ? text : muxFrame(1, text))
    return
  }
  if (!attachment) return
  await pumpAttachment(attachment, conn, { tty, stdin: exec.config.attachStdin === true, closeStdin: !tty, logger, containerId: exec.containerId })
}

const resize: RouteHandler = async (ctx: RequestContext, { engine }) => {
  const h = queryInt(ctx, 'h') ?? 0
  const w = queryInt(ctx, 'w') ?? 0
  if (h < 0 || w < 0) throw invalid('INVALID_PARAMETER', `invalid resize dimensions: ${h}x${w}`)
  await execs(engine).resize(ctx.params.id as string, h, w)
  sendEmpty(ctx, 200)
}

const inspect: RouteHandler = async (ctx, { engine }) => {
  sendJson(ctx, 200, execInspectView(execs(engine).inspect(ctx.params.id as string)))
}

/** GET /containers/{id}/top?ps_args= */
const top: RouteHandler = async (ctx, { engine }) => {
  const result = await execs(engine).top(ctx.params.id as string, queryString(ctx, 'ps_args'))
  const body: ContainerTopResponse = { Titles: result.titles, Processes: result.processes }
  sendJson(ctx, 200, body)
}

/** Exec, top, and (registered with them) the websocket attach endpoint. */
export const execRoutes: Route[] = [
  ...attachWebsocketRoutes,
  { method: 'POST', path: '/containers/:id/exec', handler: create },
  { method: 'POST', path: '/exec/:id/start', handler: start },
  { method: 'POST', path: '/exec/:id/resize', handler: resize },
  { method: 'GET', path: '/exec/:id/json', handler: inspect },
  { method: 'GET', path: '/containers/:id/top', handler: top },
]
