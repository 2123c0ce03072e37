import { hostname } from 'node:os'
import { basename } from 'node:path'
import { isMainThread, threadId } from 'node:worker_threads'
import type { Fields } from '../record'
import { checkPlainObject, checkString } from '../validate'
import { isPlainObject, mergeObjects, routeFields, type EcsParts, type Tree } from './ecs-fields'
import { loadedElasticApm, type ElasticApmAgent } from './ecs-trace'
import type { Redactor } from './redact'

/** One top-level field set that is the same on every event, with its JSON made once. */
export interface StaticPart {
  key: string
  value: Tree
  /** `,"key":{...}` */
  json: string
}

/** What `staticEcsFields` made: the static field sets, and the static labels and extra fields. */
export interface StaticEcsFields {
  parts: readonly StaticPart[]
  /** `log.*` fields of the static `extra`, merged with each event's `log.logger`. */
  log: Tree | undefined
  labels: Record<string, string | null> | undefined
  extra: Tree | undefined
}

interface StaticOptions {
  ecsVersion: string
  serviceName?: string | undefined
  serviceVersion?: string | undefined
  serviceEnvironment?: string | undefined
  serviceNodeName?: string | undefined
  eventDataset?: string | undefined
  eventModule?: string | undefined
  extra?: Fields | undefined
  elasticApm?: ElasticApmAgent | undefined
}

/**
 * The fields every event carries, in the order they are written: `ecs`, `service`,
 * `event`, `host`, `process`, then the ECS fields of the static `extra`; and the static
 * labels and extra fields. Validates the options it reads.
 */
export function staticEcsFields (options: StaticOptions, apmIntegration: boolean, redactor: Redactor): StaticEcsFields {
  const service = serviceFields(options, apmIntegration ? (options.elasticApm ?? loadedElasticApm()) : undefined)
  const tree: Tree = { ecs: { version: options.ecsVersion } }
  if (Object.keys(service).length > 0) tree.service = service

  // The ecs-logging spec: with a service name, event.dataset defaults to `<service.name>.log`.
  const event: Tree = {}
  const dataset = optionalString('eventDataset', options.eventDataset) ?? (typeof service.name === 'string' ? `${service.name}.log` : undefined)
  if (dataset !== undefined) event.dataset = dataset
  const module = optionalString('eventModule', options.eventModule)
  if (module !== undefined) event.module = module
  if (Object.keys(event).length > 0) tree.event = event

  const host = hostname()
  // host.name is what Kibana's host filters use; host.hostname is what the OS says.
  tree.host = { hostname: host, name: host }
  // process.name is the executable's name, as the system's process list and Metricbeat
  // show it ('node'), so logs and process metrics meet on process.pid + process.name.
  tree.process = {
    pid: process.pid,
    name: basename(process.execPath),
    executable: process.execPath,
    title: process.title,
    thread: { id: threadId, name: isMainThread ? 'main' : `worker-${threadId}` }
  }

  const parts: EcsParts = { tree: undefined, labels: undefined, extra: undefined }
  if (options.extra !== undefined) routeFields(parts, redactor.fields(checkPlainObject('extra', options.extra)), true)
  const merged = parts.tree === undefined ? tree : mergeObjects(tree, parts.tree)
  // The static ECS version wins over an `extra` that names it: it says what the event follows.
  ;(merged.ecs as Tree).version = options.ecsVersion

  return {
    parts: Object.keys(merged).filter((key) => key !== 'log' && isPlainObject(merged[key])).map((key) => ({
      key,
      value: merged[key] as Tree,
      json: `,${JSON.stringify(key)}:` + JSON.stringify(merged[key])
    })),
    log: isPlainObject(merged.log) ? merged.log : undefined,
    labels: parts.labels,
    extra: parts.extra
  }
}

// Spec: when an APM agent is active, loggers take its service settings unless set.
function serviceFields (options: StaticOptions, agent: ElasticApmAgent | undefined): Tree {
  const fromAgent = (read: ((this: ElasticApmAgent) => string | undefined) | undefined): string | undefined => {
    try {
      if (agent === undefined || read === undefined || !agent.isStarted()) return undefined
      const value = read.call(agent)
      return typeof value === 'string' && value !== '' ? value : undefined
    } catch {
      return undefined
    }
  }
  const service: Tree = {}
  const name = optionalString('serviceName', options.serviceName) ?? fromAgent(agent?.getServiceName)
  if (name !== undefined) service.name = name
  const version = optionalString('serviceVersion', options.serviceVersion) ?? fromAgent(agent?.getServiceVersion)
  if (version !== undefined) service.version = version
  const environment = optionalString('serviceEnvironment', options.serviceEnvironment) ?? fromAgent(agent?.getServiceEnvironment)
  if (environment !== undefined) service.environment = environment
  const nodeName = optionalString('serviceNodeName', options.serviceNodeName) ?? fromAgent(agent?.getServiceNodeName)
  if (nodeName !== undefined) service.node = { name: nodeName }
  return service
}

function optionalString (name: string, value: unknown): string | undefined {
  return value === undefined ? undefined : checkString(name, value)
}
