// Message move tasks (StartMessageMoveTask): a task moves a dead-letter queue's visible messages to
// their source queues (or one destination), at most MaxNumberOfMessagesPerSecond, in steps of a
// tenth of a second. Its record (status, counts) is stored with the source queue's account and
// region; an index in SQS's system scope lists the tasks still RUNNING or CANCELLING, so a task that
// was running when the server stopped (or was killed) resumes at the next start, counts kept.
import { randomUUID } from 'node:crypto';
import type { Runtime, Collection } from '../../kit.js';
import type { Msg, Queue } from './queue.js';

export interface MoveTask {
  id: string;
  sourceArn: string;
  destinationArn?: string;
  rate?: number;
  status: 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';
  startedMs: number;
  moved: number;
  toMove: number;
  failureReason?: string;
}

export interface MoveTaskDeps {
  byArn(arn: string): Queue | undefined;
  /** the task records of the account and region a queue ARN names */
  records(arn: string): Collection<MoveTask>;
  moveMessage(from: Queue, m: Msg, to: Queue): void;
  /** task id → where its record is, for every task RUNNING or CANCELLING (across accounts and regions) */
  active: Collection<ActiveTask>;
}

export interface ActiveTask {
  sourceArn: string;
  key: string;
}

/** One step a tenth of a second: a rate of r messages a second allows r/10 per step. */
const STEP_MS = 100;
/** Moved per step when the caller set no rate. */
const UNLIMITED = 1000;

const pad = (n: number) => String(n).padStart(17, '0');
const taskKey = (t: MoveTask) => `${t.sourceArn}\u0000${pad(t.startedMs)}${t.id}`;

export class MoveTasks {
  private readonly active: Collection<ActiveTask>;

  constructor(
    private readonly rt: Runtime,
    private readonly deps: MoveTaskDeps,
  ) {
    this.active = deps.active;
  }

  /** Resumes the tasks the previous run left RUNNING (or CANCELLING: they end CANCELLED). */
  resume(): void {
    for (const [id] of this.active.scan()) this.schedule(id, 0, 0);
  }

  /** The record of a task that is RUNNING or CANCELLING. */
  private activeTask(id: string): MoveTask | undefined {
    const a = this.active.get(id);
    return a && this.deps.records(a.sourceArn).get(a.key);
  }

  runningFor(sourceArn: string): boolean {
    for (const [id, a] of this.active.scan()) if (a.sourceArn === sourceArn && this.activeTask(id)) return true;
    return false;
  }

  start(sourceArn: string, destinationArn: string | undefined, rate: number | undefined, toMove: number): MoveTask {
    const t: MoveTask = {
      id: randomUUID(),
      sourceArn,
      destinationArn,
      rate,
      status: 'RUNNING',
      startedMs: this.rt.clock.nowMs(),
      moved: 0,
      toMove,
    };
    this.rt.engine.transaction(() => {
      this.deps.records(sourceArn).put(taskKey(t), t);
      this.active.put(t.id, { sourceArn, key: taskKey(t) });
    });
    this.schedule(t.id, 0, 0);
    return t;
  }

  /** Marks a running task CANCELLING (its next step ends it); undefined when it is not running. */
  cancel(id: string): MoveTask | undefined {
    const t = this.activeTask(id);
    if (!t || t.status !== 'RUNNING') return undefined;
    t.status = 'CANCELLING';
    this.deps.records(t.sourceArn).put(taskKey(t), t);
    return t;
  }

  /** The most recent tasks of a source queue first. */
  list(sourceArn: string, limit: number): MoveTask[] {
    return [...this.deps.records(sourceArn).scan({ prefix: `${sourceArn}\u0000`, reverse: true, limit })].map(([, t]) => t);
  }

  private schedule(id: string, credit: number, delayMs: number): void {
    const timer = setTimeout(() => this.step(id, credit), delayMs);
    timer.unref();
  }

  /** One step of a task; `credit` is how many messages its rate allows now. */
  private step(id: string, credit: number): void {
    try {
      const a = this.active.get(id);
      const records = a && this.deps.records(a.sourceArn);
      const t = a && records!.get(a.key);
      if (!a || !t) {
        if (a) this.active.delete(id);
        return; // a reset forgot it
      }
      if (t.rate) credit = Math.min(t.rate, credit + t.rate * (STEP_MS / 1000));
      this.rt.engine.transaction(() => {
        this.advance(t, t.rate ? Math.floor(credit) : UNLIMITED, (n) => (credit -= n));
        records!.put(a.key, t);
        if (t.status !== 'RUNNING' && t.status !== 'CANCELLING') this.active.delete(id);
      });
      if (t.status === 'RUNNING' || t.status === 'CANCELLING') this.schedule(id, credit, STEP_MS);
    } catch (e) {
      // the store went away under the step (the server is stopping): the task stays active and resumes at the next start
      this.rt.log.warn(`message move task ${id} paused: ${(e as Error).message}`);
    }
  }

  /** Moves up to `allowed` messages and settles the task's status. */
  private advance(t: MoveTask, allowed: number, spent: (n: number) => void): void {
    if (t.status === 'CANCELLING') {
      t.status = 'CANCELLED';
      return;
    }
    const source = this.deps.byArn(t.sourceArn);
    if (!source) {
      Object.assign(t, { status: 'FAILED', failureReason: 'AWS.SimpleQueueService.NonExistentQueue' });
      return;
    }
    const now = this.rt.clock.nowMs();
    const msgs = source.visibleMessages(now, allowed);
    // every destination is checked before anything moves: a failed task leaves the rest where it was
    const moves = msgs.map(
      (m) => [m, this.deps.byArn(t.destinationArn ?? source.content(m).system.DeadLetterQueueSourceArn ?? '')] as const,
    );
    if (moves.some(([, dest]) => !dest)) {
      Object.assign(t, { status: 'FAILED', failureReason: 'AWS.SimpleQueueService.NonExistentQueue' });
      return;
    }
    for (const [m, dest] of moves) this.deps.moveMessage(source, m, dest!);
    t.moved += msgs.length;
    spent(msgs.length);
    if (source.visibleMessages(now, 1).length === 0) t.status = 'COMPLETED';
  }
}
