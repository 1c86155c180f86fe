// The service kit: what a service imports from outside its own folder. Everything a provider needs
// (its definition and profile, the request context, errors, state, the clock, admin routes, the
// pipeline's seams, signature checking, what other services offer) comes from here, so no service
// reaches into the gateway, the protocols, the admin API or another service.
export type { Runtime, ServiceDefinition } from './runtime.js';
export type {
  RequestContext,
  Principal,
  Handler,
  Provider,
  ServiceProfile,
  ErrorDialect,
  CorsRules,
  SignatureKit,
} from './services/types.js';
export { ServiceError, notImplemented } from './services/errors.js';
export type { Integrations, MessageAttributeValue, DynamoStreamInfo, SamlIdentity, FlowRecord } from './integrations.js';
export type { AdminRequest, AdminReply, AdminRoute } from './admin/registry.js';
export type { CallInfo, CallRecord, Authorizer, Recorder } from './pipeline.js';
export type { StoreScope, Stores } from './state/stores.js';
export type { Collection, Engine } from './state/engine.js';
export type { Clock, AdvanceListener } from './state/clock.js';
// work a clock listener started (deliveries, invocations), returned so an advance waits for it
export { InFlight } from './state/clock.js';
// schedule expressions (rate, cron, at) as EventBridge rules and Scheduler read them
export { parseScheduleExpression, validTimeZone, ScheduleExpressionError } from './kit/schedule.js';
export type { Schedule, ScheduleOptions } from './kit/schedule.js';
export type { IssuedCredential } from './state/credentials.js';
export { DEFAULT_ACCOUNT, rootPrincipal } from './state/credentials.js';
// A service that reads a wire format itself (S3's POST form fields read as PutObject's headers, a
// Tagging document inside a form) uses the protocols' own readers, offered here.
export type { HttpRequest, HttpResponse, WireDialect } from './protocols/types.js';
export { loadModel } from './protocols/model.js';
export type { ServiceModel } from './protocols/model.js';
export { restXml } from './protocols/rest-xml.js';
export { parseXml, XmlReader } from './protocols/xml.js';
// for services that check the model's constraints themselves (to answer them with their own error code)
export { validateInput } from './protocols/validate.js';
export { sqsQueueUrl, s3BucketUrl, publicBaseUrl } from './localstack/urls.js';
// The regions and availability zones Nimbus knows (EC2's DescribeRegions/DescribeAvailabilityZones, the dashboard)
export { REGIONS, regionInfo, availabilityZones, availabilityZone } from './ops/regions.js';
export type { RegionInfo, AvailabilityZone } from './ops/regions.js';
// what fired on the virtual clock: `rt.timeline.record({ service, kind, resource, account, region, detail })`
export type { Timeline, TimelineEntry } from './ops/timeline.js';
// an event-stream output member (InvokeWithResponseStream, StartLiveTail): events yielded as produced
export { eventStream } from './protocols/eventstream.js';
export type { ClaimedRequests } from './services/types.js';
// For a service that runs an HTTP server of its own (an ALB listener's port): the gateway's readers,
// so its requests are parsed, and their bodies bounded, as on Nimbus's port.
export { readBody } from './gateway/body.js';
export { splitUrl, parseQuery, flatHeaders } from './gateway/exchange.js';
