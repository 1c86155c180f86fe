// The processes of instances in process mode. An instance launched with the tag
// `nimbus:run=process` is enrolled in an index (EC2's system scope, so it survives a restart);
// each pass brings the processes in line with the instances' states on the virtual clock: a
// `running` instance has its IMDS listener and runs its user data (at every boot: launch, start,
// reboot), any other state has neither. Passes run after the calls that change states, after a
// clock advance, and on a timer at the next transition due (virtual time runs at real pace).
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Collection, Runtime } from '../../../kit.js';
import type { Ec2State, Rec } from '../store.js';
import { expired, settle } from '../lifecycle.js';
import { listeningLoopbacks, loopbackFor } from './address.js';
import { bootPlan } from './userdata.js';
import { startImds, type Imds } from './imds.js';
import { metadataTree } from './metadata.js';
import { carryOver, profileRole, roleCredentials, type RoleCredentials } from './credentials.js';
import { endGroup, endLeftovers, killGroup } from './group.js';

export const RUN_TAG = { Key: 'nimbus:run', Value: 'process' };

interface Where {
  account: string;
  region: string;
  id: string;
}

interface Live {
  where: Where;
  address: string;
  imds: Imds;
  /** the process group of the current boot's user data */
  group?: number;
  creds?: RoleCredentials;
}

const keyOf = (w: Where) => `process/${w.account}/${w.region}/${w.id}`;

/** The state a record is in at `nowMs`, without writing the record. */
function stateAt(rec: Rec, nowMs: number): Rec {
  const r: Rec = { State: { ...rec.State }, _dueAt: rec._dueAt };
  settle(r, nowMs);
  return r;
}

export class Supervisor {
  private readonly live = new Map<string, Live>();
  /** loopback addresses, held from the first boot until the instance is gone */
  private readonly addresses = new Map<string, string>();
  private readonly wiped = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private closed = false;
  /** the first pass ends what an earlier Nimbus, killed, left running */
  private adopted = false;
  private rootDir?: string;

  constructor(
    private readonly rt: Runtime,
    private readonly s: Ec2State,
  ) {}

  private index(): Collection<Where> {
    return this.s.stores.system().meta as Collection<Where>;
  }

  /** Where instances' working directories live: under the data directory, or a temporary one for --ephemeral. */
  private root(): string {
    if (!this.rootDir) {
      this.rootDir = this.rt.engine.persistent ? join(this.rt.config.dataDir, 'ec2-instances') : mkdtempSync(join(tmpdir(), 'nimbus-ec2-'));
    }
    return this.rootDir;
  }

  dirOf(w: Where): string {
    return join(this.root(), w.account, w.region, w.id);
  }

  /** The process group of an instance's current boot, kept beside its directory (not in it, where its server would show it). */
  private groupFile(w: Where): string {
    return `${this.dirOf(w)}.pgid`;
  }

  /** Enrols the launched instances that carry the process tag. */
  enrol(where: { account: string; region: string }, instances: Rec[] | undefined): void {
    for (const i of instances ?? []) {
      if (i.Tags?.some((t: Rec) => t.Key === RUN_TAG.Key && t.Value === RUN_TAG.Value)) {
        const w = { account: where.account, region: where.region, id: i.InstanceId };
        this.index().put(keyOf(w), w);
      }
    }
  }

  /** The clock moved: instances' credentials keep the life their SDKs expect, then states are reconciled. */
  advanced(): Promise<void> {
    for (const l of this.live.values()) if (l.creds) carryOver(this.rt, l.creds);
    return this.reconcile();
  }

  reconcile(): Promise<void> {
    this.chain = this.chain.then(() => this.pass()).catch((e) => this.rt.log.error(`ec2 process mode: ${(e as Error)?.stack ?? e}`));
    return this.chain;
  }

  /** Restarts the user data of these instances (RebootInstances). */
  reboot(where: { account: string; region: string }, ids: string[]): Promise<void> {
    this.chain = this.chain.then(async () => {
      for (const id of ids) {
        const key = keyOf({ ...where, id });
        const l = this.live.get(key);
        if (!l) continue;
        if (l.group) await endGroup(l.group);
        const rec = this.s.find(where, 'instance', id);
        if (rec && !this.closed && this.live.get(key) === l) this.run(l, rec, 'rebooted');
      }
    });
    return this.reconcile();
  }

  /** The host and port a running process-mode instance serves `port` on. */
  endpoint(account: string, region: string, id: string, port: number): { host: string; port: number } | undefined {
    const key = keyOf({ account, region, id });
    if (!this.index().has(key)) return undefined;
    const rec = this.s.find({ account, region }, 'instance', id);
    if (!rec || stateAt(rec, this.rt.clock.nowMs()).State.Name !== 'running') return undefined;
    if (!this.live.has(key)) void this.reconcile(); // running by the clock before a pass noticed
    return { host: this.addressOf(key, rec.PrivateIpAddress), port };
  }

  private addressOf(key: string, privateIp: string | undefined): string {
    let address = this.addresses.get(key);
    if (!address) {
      address = loopbackFor(privateIp, new Set([...this.addresses.values(), ...listeningLoopbacks()]));
      this.addresses.set(key, address);
    }
    return address;
  }

  private async pass(): Promise<void> {
    if (this.closed) return;
    // at start the server is not listening yet: the processes need its endpoint
    if (!this.rt.endpoint) return this.schedule(100);
    const now = this.rt.clock.nowMs();
    const wanted = new Set<string>();
    const gone: Where[] = [];
    const ended: Where[] = [];
    let due = Infinity;
    const entries = [...this.index().scan({ prefix: 'process/' })];
    if (!this.adopted) {
      this.adopted = true;
      for (const [, w] of entries) {
        const file = this.groupFile(w);
        if (!existsSync(file)) continue;
        await endLeftovers(Number(readFileSync(file, 'utf8')), `NIMBUS_INSTANCE_ID=${w.id}`);
        rmSync(file, { force: true });
      }
    }
    for (const [key, w] of entries) {
      const rec = this.s.find(w, 'instance', w.id);
      if (!rec || expired(rec, now)) {
        this.index().delete(key);
        gone.push(w);
        continue;
      }
      const r = stateAt(rec, now);
      if (r._dueAt !== undefined) due = Math.min(due, r._dueAt);
      if (r.State.Name === 'running') {
        wanted.add(key);
        if (!this.live.has(key)) await this.boot(key, w, rec);
      } else if (r.State.Name === 'terminated') ended.push(w);
    }
    // after a reset the index is empty: what was held for its instances goes too
    const listed = new Set(entries.map(([key]) => key));
    for (const l of this.live.values()) if (!listed.has(keyOf(l.where))) gone.push(l.where);
    await Promise.all([...this.live.keys()].filter((k) => !wanted.has(k)).map((k) => this.halt(k)));
    for (const w of gone) {
      this.addresses.delete(keyOf(w));
      this.wiped.delete(keyOf(w));
      rmSync(this.dirOf(w), { recursive: true, force: true });
      rmSync(this.groupFile(w), { force: true });
    }
    // a terminated instance's disk is gone; its console output stays readable while it is listed
    for (const w of ended) {
      if (this.wiped.has(keyOf(w))) continue;
      this.wiped.add(keyOf(w));
      const dir = this.dirOf(w);
      for (const name of safeList(dir)) if (name !== 'console.log') rmSync(join(dir, name), { recursive: true, force: true });
    }
    this.schedule(due - now);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!Number.isFinite(delayMs) || this.closed) return;
    this.timer = setTimeout(() => void this.reconcile(), Math.max(0, delayMs) + 10);
    this.timer.unref();
  }

  private async boot(key: string, w: Where, rec: Rec): Promise<void> {
    const address = this.addressOf(key, rec.PrivateIpAddress);
    mkdirSync(this.dirOf(w), { recursive: true });
    let imds: Imds;
    try {
      imds = await startImds(address, this.imdsSource(key, w));
    } catch (e) {
      appendConsole(join(this.dirOf(w), 'console.log'), `nimbus: the instance metadata service did not start: ${(e as Error).message}\n`);
      return;
    }
    if (this.closed) return imds.close();
    const l: Live = { where: w, address, imds };
    this.live.set(key, l);
    this.run(l, rec, 'booted');
  }

  private imdsSource(key: string, w: Where) {
    return {
      instance: () => this.s.find(w, 'instance', w.id),
      nowMs: () => this.rt.clock.nowMs(),
      tree: async (rec: Rec) => {
        const role = rec.IamInstanceProfile?.Arn ? await profileRole(this.rt, w, rec.IamInstanceProfile.Arn) : undefined;
        const credentials = () => {
          const l = this.live.get(key);
          if (!l || !role) return undefined;
          return (l.creds = roleCredentials(this.rt, w.account, role, w.id, l.creds));
        };
        return metadataTree(rec, {
          account: w.account,
          region: w.region,
          role,
          credentials,
          subnetCidr: this.s.find(w, 'subnet', rec.SubnetId)?.CidrBlock,
          vpcCidr: this.s.find(w, 'vpc', rec.VpcId)?.CidrBlock,
        });
      },
    };
  }

  /** Runs the user data of one boot, its output appended to the instance's console. */
  private run(l: Live, rec: Rec, how: string): void {
    const dir = this.dirOf(l.where);
    const consoleFile = join(dir, 'console.log');
    const note = (line: string) => appendConsole(consoleFile, `nimbus: ${line}\n`);
    const plan = bootPlan(rec._userData);
    note(`${rec.InstanceId} ${how} at ${this.rt.clock.now().toISOString()}; listening address ${l.address}`);
    this.rt.timeline.record({
      service: 'ec2',
      kind: 'instance-boot',
      resource: rec.InstanceId,
      account: l.where.account,
      region: l.where.region,
      detail: { how, address: l.address },
    });
    l.group = undefined;
    if (plan.kind === 'none') return note('no user data to run');
    if (plan.kind === 'refused') return note(`the user data was not run: ${plan.reason}`);
    const file = join(dir, 'user-data');
    writeFileSync(file, plan.body);
    chmodSync(file, 0o700);
    const [command, args] = plan.kind === 'script' ? [file, []] : ['/bin/sh', [file]];
    const out = openSync(consoleFile, 'a');
    writeSync(out, `nimbus: running the user data${plan.kind === 'script' ? ` with ${plan.interpreter}` : ' with /bin/sh'}\n`);
    try {
      const child = spawn(command, args, { cwd: dir, env: this.envOf(l, rec), detached: true, stdio: ['ignore', out, out] });
      child.on('error', (e) =>
        note(`the user data did not start: ${e.message}${plan.kind === 'script' ? ` (is ${plan.interpreter} installed?)` : ''}`),
      );
      child.on('exit', (code, sig) => note(`the user data exited with ${sig ? `signal ${sig}` : `status ${code}`}`));
      child.unref();
      l.group = child.pid;
      if (child.pid) writeFileSync(this.groupFile(l.where), String(child.pid));
    } finally {
      closeSync(out);
    }
  }

  private envOf(l: Live, rec: Rec): Record<string, string> {
    const { region, id } = l.where;
    return {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: this.dirOf(l.where),
      LANG: 'C.UTF-8',
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ENDPOINT_URL: this.rt.endpoint,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: l.imds.url,
      AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: 'IPv4',
      NIMBUS_INSTANCE_ID: id,
      NIMBUS_PRIVATE_IP: rec.PrivateIpAddress,
      NIMBUS_BIND_ADDRESS: l.address,
    };
  }

  private async halt(key: string): Promise<void> {
    const l = this.live.get(key);
    if (!l) return;
    this.live.delete(key);
    l.imds.close();
    if (l.group) await endGroup(l.group);
    rmSync(this.groupFile(l.where), { force: true });
  }

  /** Nimbus is closing: every process group is killed, nothing is left running. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const l of this.live.values()) {
      if (l.group) killGroup(l.group);
      l.imds.close();
    }
    this.live.clear();
    if (this.rootDir && !this.rt.engine.persistent) rmSync(this.rootDir, { recursive: true, force: true });
  }

  /** The file an instance's console output is appended to. */
  consoleFile(where: { account: string; region: string }, id: string): string {
    return join(this.dirOf({ ...where, id }), 'console.log');
  }
}

/** Appends to a console; a line arriving after the instance's directory went (a late exit) is dropped. */
function appendConsole(file: string, text: string): void {
  try {
    appendFileSync(file, text);
  } catch {
    // the directory is gone
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
