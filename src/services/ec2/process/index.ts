// Instances that serve: the process mode wired into EC2's handlers. The calls that change an
// instance's state are followed by a supervisor pass (so Stop and Terminate end the process at
// once, Reboot restarts it); RunInstances enrols instances tagged `nimbus:run=process`;
// GetConsoleOutput answers the user data's output; `rt.integrations.ec2.endpoint` tells a load
// balancer where an instance serves a port.
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import type { Ec2Provider } from '../../../generated/ec2.js';
import type { Handler, RequestContext, Runtime } from '../../../kit.js';
import type { Ec2State, Rec } from '../store.js';
import type { Instances } from '../instances.js';
import { dryRunError } from '../errors.js';
import { Supervisor } from './supervisor.js';

/** EC2 keeps the most recent 64 KB of console output. */
const CONSOLE_BYTES = 64 * 1024;

function tail(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, CONSOLE_BYTES);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    return buf;
  } finally {
    closeSync(fd);
  }
}

export function processMode(rt: Runtime, s: Ec2State, inst: Instances, handlers: Ec2Provider): Ec2Provider {
  const sup = new Supervisor(rt, s);
  rt.integrations.ec2!.endpoint = (account, region, id, port) => sup.endpoint(account, region, id, port);
  rt.clock.onAdvance(() => void sup.advanced());
  rt.onClose(() => sup.close());
  void sup.reconcile(); // instances running when Nimbus last stopped boot again

  const { RunInstances, StartInstances, StopInstances, TerminateInstances, RebootInstances } = handlers;
  const thenReconcile = <I, O>(h: Handler<I, O> | undefined): Handler<I, O> | undefined =>
    h &&
    (async (input: I, ctx: RequestContext) => {
      const out = await h(input, ctx);
      void sup.reconcile();
      return out;
    });

  return {
    ...handlers,
    RunInstances: async (input, ctx) => {
      const out = await RunInstances!(input, ctx);
      sup.enrol(ctx, out.Instances as Rec[] | undefined);
      void sup.reconcile();
      return out;
    },
    StartInstances: thenReconcile(StartInstances),
    StopInstances: thenReconcile(StopInstances),
    TerminateInstances: thenReconcile(TerminateInstances),
    RebootInstances: async (input, ctx) => {
      const out = await RebootInstances!(input, ctx);
      void sup.reboot(ctx, input.InstanceIds);
      return out;
    },
    GetConsoleOutput: (input, ctx) => {
      const rec = inst.get(ctx, input.InstanceId);
      if (input.DryRun) throw dryRunError();
      const output = tail(sup.consoleFile(ctx, rec.InstanceId));
      return { InstanceId: rec.InstanceId, Timestamp: ctx.clock.now(), ...(output?.length ? { Output: output.toString('base64') } : {}) };
    },
  };
}
