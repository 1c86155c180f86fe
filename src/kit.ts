// The service kit: what a service imports from outside its own folder. Everything a provider needs
// (its definition, the request context, errors, state, the clock, admin routes, the pipeline's
// seams, what other services offer) comes from here, so no service reaches into the gateway, the
// protocols or another service.
export type { Runtime, ServiceDefinition } from './runtime.js';
export type { RequestContext, Principal, Handler, Provider } from './services/types.js';
export { ServiceError, notImplemented } from './services/errors.js';
export type { Integrations, MessageAttributeValue } from './integrations.js';
export type { AdminRequest, AdminReply, AdminRoute } from './admin/registry.js';
export type { CallInfo, CallRecord, Authorizer, Recorder } from './pipeline.js';
export type { StoreScope, Stores } from './state/stores.js';
export type { Collection, Engine } from './state/engine.js';
export type { Clock } from './state/clock.js';
export type { IssuedCredential } from './state/credentials.js';
export { DEFAULT_ACCOUNT, rootPrincipal } from './state/credentials.js';
export { sqsQueueUrl, s3BucketUrl, publicBaseUrl } from './localstack/urls.js';
