// Security groups between a load balancer and an instance target: traffic (requests, connections,
// health checks) reaches the target only when its security groups let the load balancer in (EC2
// judges, rt.integrations.ec2.admits). The source is the load balancer's security groups and its
// node's address in the target's zone; an NLB that preserves client addresses passes the client on,
// which EC2 treats as a client from outside the VPC. The rules are known, so a denial is decided at
// once (no waiting out a connect timeout); a VPC flow log records it as REJECT.
import { randomInt } from 'node:crypto';
import type { Runtime } from '../../kit.js';
import type { LbRecord, Where } from './store.js';
import type { Instance } from './health.js';
import { nodeAddress } from './flows.js';

/** SYN packets of a refused connection attempt, as a flow log counts them (IP and TCP headers with options). */
const SYN_BYTES = 60;

/**
 * Whether the load balancer reaches the instance on `port`; `client` names the client's address when
 * the load balancer passes it on (an NLB preserving client IPs). A denial is recorded as a REJECT flow.
 */
export async function reaches(rt: Runtime, w: Where, lb: LbRecord, instance: Instance, port: number, client?: string): Promise<boolean> {
  const admits = rt.integrations.ec2?.admits;
  if (!admits) return true;
  const node = await nodeAddress(rt, w, lb, instance.Placement?.AvailabilityZone);
  const ok = admits(w.account, w.region, instance.InstanceId, port, {
    groupIds: lb.securityGroups,
    ...(client === undefined && node ? { address: node } : {}),
  });
  const peer = client ?? node;
  if (!ok && peer && instance.PrivateIpAddress) {
    const now = rt.clock.nowMs();
    rt.integrations.ec2?.recordFlow?.(w.account, w.region, {
      instanceId: instance.InstanceId,
      srcAddr: peer,
      srcPort: randomInt(1024, 65536),
      dstPort: port,
      bytes: SYN_BYTES,
      packets: 1,
      start: now,
      end: now,
      action: 'REJECT',
    });
  }
  return ok;
}
