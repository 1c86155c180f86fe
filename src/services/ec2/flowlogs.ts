// VPC flow logs: CreateFlowLogs / DescribeFlowLogs / DeleteFlowLogs for VPCs, subnets and network
// interfaces, and the records they deliver in the default v2 format or a custom LogFormat: to CloudWatch
// Logs (rt.integrations.logs) at once (MaxAggregationInterval is kept, not waited), to S3 in 5-minute
// files (flowlogs-s3.ts). Nimbus records only traffic it really carries to an instance and is told
// about through rt.integrations.ec2.recordFlow (a load balancer forwarding to a target); nothing else
// on a VPC produces records.
import type { CreateFlowLogsResult, Ec2Provider, UnsuccessfulItem } from '../../generated/ec2.js';
import type { FlowRecord, Runtime } from '../../kit.js';
import { type Ec2State, type Kind, type Rec, newId, out, tagsFor } from './store.js';
import { matcher, page, type Fields } from './filters.js';
import { ec2Error, missing, notFound } from './errors.js';
import { zonesOf } from './regions.js';
import { flowLogFiles } from './flowlogs-s3.js';

export const DEFAULT_FORMAT =
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}';

/** The flow log version each field appeared in (a custom format's ${version} is the highest it uses). */
const FIELD_VERSION: Record<string, number> = {
  version: 2,
  'account-id': 2,
  'interface-id': 2,
  srcaddr: 2,
  dstaddr: 2,
  srcport: 2,
  dstport: 2,
  protocol: 2,
  packets: 2,
  bytes: 2,
  start: 2,
  end: 2,
  action: 2,
  'log-status': 2,
  'vpc-id': 3,
  'subnet-id': 3,
  'instance-id': 3,
  'tcp-flags': 3,
  type: 3,
  'pkt-srcaddr': 3,
  'pkt-dstaddr': 3,
  region: 4,
  'az-id': 4,
  'sublocation-type': 4,
  'sublocation-id': 4,
  'pkt-src-aws-service': 5,
  'pkt-dst-aws-service': 5,
  'flow-direction': 5,
  'traffic-path': 5,
};

const invalid = (message: string) => ec2Error('InvalidParameter', message);

/** The fields of a LogFormat, or InvalidParameter naming the unknown ones. */
export function formatFields(format: string): string[] {
  const fields = format
    .trim()
    .split(/\s+/)
    .map((t) => /^\$\{([a-z0-9-]+)\}$/.exec(t)?.[1] ?? t);
  const unknown = fields.filter((f) => !(f in FIELD_VERSION));
  if (unknown.length) throw invalid(`Unknown fields provided: ${unknown.join(', ')}`);
  return fields;
}

/** One record line of a flow log's format. */
export function formatRecord(format: string, values: Record<string, string | number>): string {
  const fields = formatFields(format);
  const version = format === DEFAULT_FORMAT ? 2 : Math.max(...fields.map((f) => FIELD_VERSION[f]));
  return fields.map((f) => (f === 'version' ? String(version) : String(values[f] ?? '-'))).join(' ');
}

const RESOURCE_KIND: Record<string, Kind> = { VPC: 'vpc', Subnet: 'subnet', NetworkInterface: 'eni' };

const fields: Fields<Rec> = {
  'deliver-log-status': (f) => f.DeliverLogsStatus,
  'log-destination-type': (f) => f.LogDestinationType,
  'flow-log-id': (f) => f.FlowLogId,
  'log-group-name': (f) => f.LogGroupName,
  'resource-id': (f) => f.ResourceId,
  'traffic-type': (f) => f.TrafficType,
};

export function flowLogHandlers(s: Ec2State): Ec2Provider {
  const rt = s.rt;
  return {
    CreateFlowLogs: (input, ctx) => {
      if (!input.ResourceIds?.length) throw missing('ResourceId');
      const kind = RESOURCE_KIND[input.ResourceType];
      if (!kind) throw invalid(`Flow logs for resource type ${input.ResourceType} are not supported.`);
      if (!input.TrafficType) throw missing('TrafficType');
      const destType = input.LogDestinationType ?? 'cloud-watch-logs';
      if (input.LogGroupName && input.LogDestination) throw invalid('Please only provide LogGroupName or only provide LogDestination.');
      if (!input.LogGroupName && !input.LogDestination) throw invalid("LogDestination can't be empty if LogGroupName is not provided.");
      const interval = input.MaxAggregationInterval ?? 600;
      if (interval !== 60 && interval !== 600) throw invalid('Invalid Flow Log Max Aggregation Interval');
      let group: string | undefined;
      let status = 'SUCCESS';
      if (destType === 'cloud-watch-logs') {
        if (!input.DeliverLogsPermissionArn)
          throw invalid("DeliverLogsPermissionArn can't be empty if LogDestinationType is cloud-watch-logs.");
        if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(input.DeliverLogsPermissionArn))
          throw ec2Error('InvalidParameterValue', `Invalid DeliverLogsPermissionArn: ${input.DeliverLogsPermissionArn}`);
        if (input.LogDestination) {
          const m = /^arn:aws[a-z-]*:logs:([^:]+):(\d{12}):log-group:([^:]+)(:\*)?$/.exec(input.LogDestination);
          if (!m) throw invalid(`LogDestination: ${input.LogDestination} is not a valid CloudWatch Logs log group ARN.`);
          group = m[3];
        } else group = input.LogGroupName;
        if (!/^[.\-_/#A-Za-z0-9]{1,512}$/.test(group!)) throw invalid(`Invalid LogGroupName: ${group}`);
        // a role that does not exist leaves the flow log unable to deliver, as AWS reports it
        if (rt.integrations.iam && !rt.integrations.iam.role(input.DeliverLogsPermissionArn)) status = 'FAILED';
      } else {
        if (input.LogGroupName) throw invalid('LogDestination type must be cloud-watch-logs if LogGroupName is provided.');
        if (destType === 's3' && input.DeliverLogsPermissionArn)
          throw invalid('DeliverLogsPermissionArn is not applicable for s3 delivery');
      }
      const format = input.LogFormat ?? DEFAULT_FORMAT;
      formatFields(format);
      const destination = input.LogDestination ?? `arn:aws:logs:${ctx.region}:${ctx.account}:log-group:${group}`;
      const tags = tagsFor(input.TagSpecifications, 'vpc-flow-log');
      const ids: string[] = [];
      const unsuccessful: UnsuccessfulItem[] = [];
      for (const resourceId of input.ResourceIds) {
        if (!s.find(ctx, kind, resourceId)) {
          const e = notFound(kind, resourceId);
          unsuccessful.push({ ResourceId: resourceId, Error: { Code: e.code, Message: e.message } });
          continue;
        }
        const dup = s
          .all(ctx, 'flowlog')
          .some((f) => f.ResourceId === resourceId && f.TrafficType === input.TrafficType && f.LogDestination === destination);
        if (dup) {
          unsuccessful.push({
            ResourceId: resourceId,
            Error: {
              Code: 'FlowLogAlreadyExists',
              Message: 'Error. There is an existing Flow Log with the same configuration and log destination.',
            },
          });
          continue;
        }
        const id = newId('fl');
        s.put(ctx, 'flowlog', id, {
          FlowLogId: id,
          CreationTime: s.now(ctx),
          ResourceId: resourceId,
          TrafficType: input.TrafficType,
          LogDestinationType: destType,
          LogDestination: destination,
          ...(group ? { LogGroupName: group } : {}),
          ...(input.DeliverLogsPermissionArn ? { DeliverLogsPermissionArn: input.DeliverLogsPermissionArn } : {}),
          DeliverLogsStatus: status,
          ...(status === 'FAILED' ? { DeliverLogsErrorMessage: 'Access error' } : {}),
          FlowLogStatus: 'ACTIVE',
          LogFormat: format,
          MaxAggregationInterval: interval,
          ...(destType === 's3'
            ? {
                DestinationOptions: {
                  FileFormat: input.DestinationOptions?.FileFormat ?? 'plain-text',
                  HiveCompatiblePartitions: input.DestinationOptions?.HiveCompatiblePartitions ?? false,
                  PerHourPartition: input.DestinationOptions?.PerHourPartition ?? false,
                },
              }
            : {}),
          Tags: tags,
        });
        ids.push(id);
      }
      const result: CreateFlowLogsResult = { FlowLogIds: ids, Unsuccessful: unsuccessful };
      if (input.ClientToken) result.ClientToken = input.ClientToken;
      return result;
    },

    DescribeFlowLogs: (input, ctx) => {
      let list = s.all(ctx, 'flowlog');
      if (input.FlowLogIds?.length) list = list.filter((f) => input.FlowLogIds!.includes(f.FlowLogId));
      const p = page(list.filter(matcher(input.Filter, fields)), input.MaxResults, input.NextToken, { min: 1, max: 1000 });
      return { FlowLogs: out(p.items), NextToken: p.NextToken };
    },

    DeleteFlowLogs: (input, ctx) => {
      if (!input.FlowLogIds?.length) throw missing('FlowLogId');
      const unsuccessful: UnsuccessfulItem[] = [];
      for (const id of input.FlowLogIds) {
        if (s.find(ctx, 'flowlog', id)) s.delete(ctx, 'flowlog', id);
        else
          unsuccessful.push({
            ResourceId: id,
            Error: {
              Code: 'InvalidFlowLogId.NotFound',
              Message: `These flow log ids in the input list are not found: [TotalCount: 1] ${id}`,
            },
          });
      }
      return { Unsuccessful: unsuccessful };
    },
  };
}

/** rt.integrations.ec2.recordFlow: one flow written by every flow log watching its interface, subnet or VPC. */
export function flowRecorder(s: Ec2State, rt: Runtime) {
  return (account: string, region: string, flow: FlowRecord): void => {
    const at = { account, region };
    const eniId =
      flow.networkInterfaceId ??
      (flow.instanceId ? s.find(at, 'instance', flow.instanceId)?.NetworkInterfaces?.[0]?.NetworkInterfaceId : undefined);
    const eni = eniId ? s.find(at, 'eni', eniId) : undefined;
    if (!eni) return;
    const action = flow.action ?? 'ACCEPT';
    const watching = s
      .all(at, 'flowlog')
      .filter(
        (f) =>
          [eni.NetworkInterfaceId, eni.SubnetId, eni.VpcId].includes(f.ResourceId) &&
          (f.TrafficType === 'ALL' || f.TrafficType === action) &&
          f.DeliverLogsStatus === 'SUCCESS' &&
          (f.LogDestinationType === 'cloud-watch-logs' ||
            (f.LogDestinationType === 's3' && f.DestinationOptions?.FileFormat !== 'parquet')),
      );
    if (!watching.length) return;
    const dst = flow.dstAddr ?? eni.PrivateIpAddress;
    const values: Record<string, string | number> = {
      'account-id': account,
      'interface-id': eni.NetworkInterfaceId,
      srcaddr: flow.srcAddr,
      dstaddr: dst,
      srcport: flow.srcPort,
      dstport: flow.dstPort,
      protocol: flow.protocol ?? 6,
      packets: flow.packets ?? Math.max(1, Math.ceil(flow.bytes / 1448)),
      bytes: flow.bytes,
      start: Math.floor(flow.start / 1000),
      end: Math.floor(flow.end / 1000),
      action,
      'log-status': 'OK',
      'vpc-id': eni.VpcId,
      'subnet-id': eni.SubnetId,
      'instance-id': eni.Attachment?.InstanceId ?? '-',
      'tcp-flags': 0,
      type: 'IPv4',
      'pkt-srcaddr': flow.srcAddr,
      'pkt-dstaddr': dst,
      region,
      'az-id': eni.AvailabilityZoneId ?? zonesOf(region).find((z) => z.name === eni.AvailabilityZone)?.id ?? '-',
      'flow-direction': flow.direction ?? 'ingress',
    };
    for (const f of watching) {
      const message = formatRecord(f.LogFormat, values);
      if (f.LogDestinationType === 's3') flowLogFiles(rt).add(account, region, f, formatFields(f.LogFormat).join(' '), message, flow.end);
      else
        rt.integrations.logs?.putLogEvents(account, region, f.LogGroupName, `${eni.NetworkInterfaceId}-${f.TrafficType.toLowerCase()}`, [
          { timestamp: flow.start, message },
        ]);
    }
  };
}
