// Which service a request is for, and which wire protocol it speaks. The request decides the
// protocol (SQS answers JSON and query; CloudWatch CBOR, JSON and query); the model decides the rest.
import { loadModel, modelIndex, type ServiceModel } from '../protocols/model.js';
import type { HttpRequest, Protocol } from '../protocols/types.js';
import { json } from '../protocols/json.js';
import { ec2, query, queryParams } from '../protocols/query.js';
import { cbor, cborPath } from '../protocols/cbor.js';
import { restJson } from '../protocols/rest-json.js';
import { restXml } from '../protocols/rest-xml.js';
import type { ServiceProfile } from '../services/types.js';
import type { Directory } from './directory.js';
import { serviceOfLocalStackHost } from '../localstack/hosts.js';

export interface Identified {
  /** the model name (`s3`, `sqs`…), or the name the request gives for a service Nimbus has no model of */
  service: string;
  model?: ServiceModel;
  protocol: Protocol;
  /** the service's wire dialect (empty for a service Nimbus does not serve) */
  profile: ServiceProfile;
}

interface Tables {
  bySigningName: Map<string, string[]>;
  byTargetPrefix: Map<string, string>;
  byEndpointPrefix: Map<string, string>;
}

let tables: Tables | undefined;
function lookup(): Tables {
  if (tables) return tables;
  const t: Tables = { bySigningName: new Map(), byTargetPrefix: new Map(), byEndpointPrefix: new Map() };
  for (const [name, e] of Object.entries(modelIndex())) {
    const list = t.bySigningName.get(e.signingName) ?? [];
    list.push(name);
    t.bySigningName.set(e.signingName, list);
    if (e.targetPrefix) t.byTargetPrefix.set(e.targetPrefix, name);
    if (!t.byEndpointPrefix.has(e.endpointPrefix)) t.byEndpointPrefix.set(e.endpointPrefix, name);
  }
  // a signing name shared by several services: the one named as it signs first (dynamodb before its streams)
  for (const [signing, list] of t.bySigningName) list.sort((a, b) => (a === signing ? -1 : b === signing ? 1 : 0));
  return (tables = t);
}

const isForm = (req: HttpRequest) => (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
const isJsonRpc = (req: HttpRequest) => !!req.headers['x-amz-target'];
const isCbor = (req: HttpRequest) => req.headers['smithy-protocol'] === 'rpc-v2-cbor';
const hasAction = (req: HttpRequest) => (isForm(req) || req.method === 'GET') && queryParams(req).has('Action');

/** The protocol of this request for a service with this model. */
export function protocolFor(model: ServiceModel, req: HttpRequest): Protocol {
  const supported = model.metadata.protocols ?? [model.metadata.protocol];
  if (isCbor(req) && supported.includes('smithy-rpc-v2-cbor')) return cbor;
  if (isJsonRpc(req) && (supported.includes('json') || model.metadata.awsQueryCompatible)) return json;
  if (hasAction(req) && (supported.includes('query') || supported.includes('ec2') || model.metadata.awsQueryCompatible)) {
    return model.metadata.protocol === 'ec2' ? ec2 : query;
  }
  switch (model.metadata.protocol) {
    case 'rest-xml':
      return restXml;
    case 'rest-json':
      return restJson;
    case 'smithy-rpc-v2-cbor':
      return supported.includes('json') && !isCbor(req) ? json : cbor;
    case 'ec2':
      return ec2;
    case 'query':
      return query;
    default:
      return json;
  }
}

/** For a service Nimbus has no model of: the protocol the request's shape implies. */
function guessProtocol(req: HttpRequest): Protocol {
  if (isCbor(req)) return cbor;
  if (isJsonRpc(req)) return json;
  if (hasAction(req)) return query;
  return (req.headers['content-type'] ?? '').includes('json') ? restJson : restXml;
}

const PROTOCOLS: Record<string, Protocol> = { query, ec2, json, 'rest-json': restJson, 'rest-xml': restXml, 'smithy-rpc-v2-cbor': cbor };

/** A service of the index: with its model when Nimbus has one, else with the protocol AWS gives it. */
function withModel(service: string, req: HttpRequest, dir: Directory): Identified {
  const profile = dir.profile(service);
  const model = loadModel(service);
  if (model) return { service, model, protocol: protocolFor(model, req), profile };
  const entry = modelIndex()[service];
  const fromRequest = guessProtocol(req);
  const usual = entry ? PROTOCOLS[entry.protocol] : undefined;
  // an rpc request says what it speaks; a rest request speaks the service's protocol
  return {
    service,
    profile,
    protocol: fromRequest.routesByBody || fromRequest === json || fromRequest === cbor || !usual ? fromRequest : usual,
  };
}

/**
 * @param signingName the service of the SigV4 credential scope, if the request is signed
 * @param dir the served services' profiles and routing facts
 */
export function identify(req: HttpRequest, signingName: string | undefined, dir: Directory): Identified {
  const t = lookup();

  const target = req.headers['x-amz-target'];
  if (target) {
    // `Prefix.Operation`; a target without a dot still names the service (its operation is unknown)
    const dot = target.lastIndexOf('.');
    const byTarget = t.byTargetPrefix.get(dot < 0 ? target : target.slice(0, dot));
    if (byTarget) return withModel(byTarget, req, dir);
  }
  const rpc = isCbor(req) ? cborPath(req.path) : undefined;
  if (rpc) {
    const byName = t.byTargetPrefix.get(rpc.service);
    if (byName) return withModel(byName, req, dir);
  }

  if (signingName) {
    const candidates = t.bySigningName.get(signingName);
    if (!candidates) return { service: signingName, protocol: guessProtocol(req), profile: dir.profile(signingName) };
    if (candidates.length === 1) return withModel(candidates[0], req, dir);
    // several services sign as one (dynamodb + streams, ses v1 + v2): the one whose model knows the operation
    for (const name of candidates) {
      const found = withModel(name, req, dir);
      if (found.model && found.protocol.resolveOperation(found.model, req)) return found;
    }
    return withModel(candidates[0], req, dir);
  }

  // unsigned: the host (`sqs.us-east-1.localhost.localstack.cloud`), then query's Version parameter
  const host = (req.headers.host ?? '').toLowerCase();
  const localstack = serviceOfLocalStackHost(host);
  if (localstack) return withModel(localstack, req, dir);
  const firstLabel = host.split('.', 1)[0];
  const byHost = host.includes('.') ? t.byEndpointPrefix.get(firstLabel) : undefined;
  // the fallback service's own host (`s3.localhost…`) reaches it as any unnamed request does
  if (byHost && byHost !== dir.fallback) return withModel(byHost, req, dir);
  if (hasAction(req)) {
    for (const [path, service] of dir.queryPaths) if (path.test(req.path)) return withModel(service, req, dir);
    const params = queryParams(req);
    const version = params.get('Version');
    const action = params.get('Action')!;
    const unversioned: string[] = [];
    for (const [name, e] of Object.entries(modelIndex())) {
      if (!e.protocols.some((p) => p === 'query' || p === 'ec2')) continue;
      const model = loadModel(name);
      if (!model || !model.operations[action]) continue;
      if (model.metadata.apiVersion === version) return withModel(name, req, dir);
      if (!version) unversioned.push(name);
    }
    // a link AWS hands out without Version (SNS's UnsubscribeURL): the one query service with that action
    if (unversioned.length === 1) return withModel(unversioned[0], req, dir);
  }
  // an rpc request naming no service Nimbus knows is answered in its own protocol, not as S3
  if (isJsonRpc(req) || isCbor(req)) return { service: 'unknown', protocol: guessProtocol(req), profile: dir.profile(undefined) };
  return withModel(dir.fallback, req, dir);
}
