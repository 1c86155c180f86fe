// One queue's messages: persisted in the engine (content once, visibility state on each receive),
// indexed in memory for receiving. Standard queues hand out whatever is visible, oldest first;
// FIFO queues hand out each message group in order and lock a group while one of its messages is
// in flight. All times are virtual (the runtime clock).
import { randomBytes } from 'node:crypto';
import type { Collection } from '../../kit.js';
import type { MessageAttributeValue } from '../../generated/sqs.js';

export interface QueueRecord {
  name: string;
  account: string;
  region: string;
  /** changes when a queue of this name is created again: old receipt handles and caches die */
  incarnation: string;
  /** settable attributes, defaults included */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdMs: number;
  modifiedMs: number;
  purgedMs?: number;
}

/** A message as sent: written once. */
export interface StoredMessage {
  id: string;
  body: string;
  md5Body: string;
  attributes?: Record<string, MessageAttributeValue>;
  md5Attributes?: string;
  /** SenderId, SentTimestamp, MessageGroupId, MessageDeduplicationId, SequenceNumber, AWSTraceHeader, DeadLetterQueueSourceArn */
  system: Record<string, string>;
  sentMs: number;
  /** first visible at (after DelaySeconds) */
  availableMs: number;
}

/** What a receive changes. */
export interface MessageState {
  visibleAt: number;
  receives: number;
  firstReceiveMs?: number;
  /** the latest receive: a visibility timeout may reach at most 12 hours past it */
  receivedMs?: number;
  /** the current receipt's token: older receipt handles no longer match */
  token?: string;
}

export interface Msg extends MessageState {
  key: string;
  id: string;
  sentMs: number;
  group?: string;
}

interface Dedup {
  messageId: string;
  sequenceNumber?: string;
  at: number;
}

/** A FIFO receive made with a ReceiveRequestAttemptId: what it handed out, to hand out again on a retry. */
interface Attempt {
  /** when the first receive of this attempt happened: the id is usable for 5 minutes from then */
  at: number;
  /** each message as this attempt left it: a changed token or visibility means it was modified since */
  messages: Array<{ key: string; token: string; visibleAt: number }>;
}

export interface QueueCollections {
  content: Collection<StoredMessage>;
  state: Collection<MessageState>;
  dedup: Collection<Dedup>;
  attempts: Collection<Attempt>;
}

/** FIFO deduplication window, for message deduplication ids and receive request attempt ids alike. */
export const DEDUP_WINDOW_MS = 5 * 60_000;

/** Entries of a collection in time order (keys sort by id, the windows expire by time). */
const byTime = <T extends { at: number }>(entries: Iterable<[string, T]>) => [...entries].sort((a, b) => a[1].at - b[1].at);

/** Drops the entries that fell out of the window from the front of a time-ordered map (and the store). */
function prune<T extends { at: number }>(map: Map<string, T>, store: Collection<T>, now: number): void {
  for (const [k, v] of map) {
    if (v.at + DEDUP_WINDOW_MS > now) break;
    map.delete(k);
    store.delete(k);
  }
}

/** Min-heap of (visibleAt, key): the next message to become visible in a standard queue. */
class VisibilityHeap {
  private a: Array<{ at: number; key: string }> = [];
  get size() {
    return this.a.length;
  }
  peek() {
    return this.a[0];
  }
  private less(i: number, j: number) {
    const x = this.a[i],
      y = this.a[j];
    return x.at < y.at || (x.at === y.at && x.key < y.key);
  }
  push(e: { at: number; key: string }) {
    const a = this.a;
    a.push(e);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop() {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1,
          r = l + 1;
        let m = i;
        if (l < a.length && this.less(l, m)) m = l;
        if (r < a.length && this.less(r, m)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
  clear() {
    this.a = [];
  }
}

export class Queue {
  /** long polls waiting for this queue to change */
  readonly waiters = new Set<() => void>();
  deleted = false;
  readonly fifo: boolean;
  private readonly msgs = new Map<string, Msg>();
  private readonly heap = new VisibilityHeap();
  private readonly groups = new Map<string, Msg[]>();
  private readonly dedups = new Map<string, Dedup>();
  private readonly attempts = new Map<string, Attempt>();
  private lastSeq = 0;

  constructor(
    public rec: QueueRecord,
    readonly arn: string,
    private readonly c: QueueCollections,
  ) {
    this.fifo = rec.attributes.FifoQueue === 'true';
    const states = new Map(c.state.scan());
    for (const [key, m] of c.content.scan()) {
      const s = states.get(key) ?? { visibleAt: m.availableMs, receives: 0 };
      this.index({ key, id: m.id, sentMs: m.sentMs, group: m.system.MessageGroupId, ...s });
      this.lastSeq = Math.max(this.lastSeq, Number(key));
    }
    for (const [k, d] of byTime(c.dedup.scan())) this.dedups.set(k, d);
    for (const [k, a] of byTime(c.attempts.scan())) this.attempts.set(k, a);
  }

  private index(m: Msg): void {
    this.msgs.set(m.key, m);
    if (!this.fifo) return this.heap.push({ at: m.visibleAt, key: m.key });
    const list = this.groups.get(m.group!);
    if (list) list.push(m);
    else this.groups.set(m.group!, [m]);
  }

  /** Monotonic across restarts: never below the clock in µs, so sequence numbers only grow. */
  nextSeq(nowMs: number): number {
    this.lastSeq = Math.max(this.lastSeq + 1, nowMs * 1000);
    return this.lastSeq;
  }

  get retentionMs() {
    return Number(this.rec.attributes.MessageRetentionPeriod) * 1000;
  }
  get visibilityTimeout() {
    return Number(this.rec.attributes.VisibilityTimeout);
  }
  get delaySeconds() {
    return Number(this.rec.attributes.DelaySeconds);
  }
  get waitSeconds() {
    return Number(this.rec.attributes.ReceiveMessageWaitTimeSeconds);
  }
  get maxMessageSize() {
    return Number(this.rec.attributes.MaximumMessageSize);
  }

  private expired(m: Msg, now: number) {
    return m.sentMs + this.retentionMs <= now;
  }

  /** FIFO deduplication: the message an id was already used for within the window. */
  findDuplicate(dedupKey: string, now: number): Dedup | undefined {
    prune(this.dedups, this.c.dedup, now);
    const d = this.dedups.get(dedupKey);
    return d && d.at + DEDUP_WINDOW_MS > now ? d : undefined;
  }

  /**
   * A retried FIFO receive (same ReceiveRequestAttemptId within 5 minutes): the same messages, with
   * the same receipt handles and their visibility timeout started again — unless one of them was
   * deleted, had its visibility changed or was received again since, in which case the attempt is
   * forgotten and `undefined` tells the caller to receive afresh.
   */
  replay(attemptId: string, visibilityMs: number, now: number): Msg[] | undefined {
    prune(this.attempts, this.c.attempts, now);
    const a = this.attempts.get(attemptId);
    if (!a) return undefined;
    const msgs = a.messages.map((r) => {
      const m = this.msgs.get(r.key);
      return m && m.token === r.token && m.visibleAt === r.visibleAt ? m : undefined;
    });
    if (msgs.some((m) => !m)) {
      this.attempts.delete(attemptId);
      this.c.attempts.delete(attemptId);
      return undefined;
    }
    for (const m of msgs as Msg[]) this.setVisibility(m, visibilityMs, now);
    this.remember(attemptId, msgs as Msg[], a.at);
    return msgs as Msg[];
  }

  /** Records what a FIFO receive with a ReceiveRequestAttemptId handed out (callers wrap this in a transaction). */
  remember(attemptId: string, msgs: Msg[], at: number): void {
    const a: Attempt = { at, messages: msgs.map((m) => ({ key: m.key, token: m.token!, visibleAt: m.visibleAt })) };
    this.attempts.set(attemptId, a); // a replay keeps its place in time order: its `at` is unchanged
    this.c.attempts.put(attemptId, a);
  }

  /** Stores a message (callers wrap this in a transaction). */
  add(key: string, m: StoredMessage, dedupKey?: string): void {
    this.c.content.put(key, m);
    if (dedupKey !== undefined) {
      const d = { messageId: m.id, sequenceNumber: m.system.SequenceNumber, at: m.sentMs };
      this.dedups.set(dedupKey, d);
      this.c.dedup.put(dedupKey, d);
    }
    this.index({ key, id: m.id, sentMs: m.sentMs, group: m.system.MessageGroupId, visibleAt: m.availableMs, receives: 0 });
    this.notify();
  }

  content(m: Msg): StoredMessage {
    return this.c.content.get(m.key)!;
  }

  notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /**
   * Takes up to `max` visible messages and hides them for `visibilityMs`. A message already received
   * `maxReceives` times goes to `deadLetter` instead (which removes it here).
   */
  receive(max: number, visibilityMs: number, now: number, maxReceives: number | undefined, deadLetter: (m: Msg) => void): Msg[] {
    const out: Msg[] = [];
    const take = (m: Msg): boolean => {
      if (this.expired(m, now)) {
        this.remove(m);
        return false;
      }
      if (maxReceives !== undefined && m.receives >= maxReceives) {
        deadLetter(m);
        return false;
      }
      m.receives++;
      m.firstReceiveMs ??= now;
      m.receivedMs = now;
      m.visibleAt = now + visibilityMs;
      m.token = randomBytes(12).toString('base64url');
      this.saveState(m);
      out.push(m);
      return true;
    };
    if (!this.fifo) {
      while (out.length < max && this.heap.size) {
        const top = this.heap.peek()!;
        const m = this.msgs.get(top.key);
        if (m && m.visibleAt === top.at && top.at > now) break;
        this.heap.pop();
        if (m && m.visibleAt === top.at) take(m); // else a stale entry: deleted, or re-queued under a new time
      }
      for (const m of out) this.heap.push({ at: m.visibleAt, key: m.key });
      return out;
    }
    for (const [group, list] of [...this.groups]) {
      if (out.length >= max) break;
      if (this.locked(list, now)) continue;
      for (let i = 0; i < list.length && out.length < max;) {
        const m = list[i];
        if (m.visibleAt > now) break;
        if (take(m)) i++;
      }
      if (list.length === 0) this.groups.delete(group);
    }
    return out;
  }

  /** A FIFO group is locked while any of its received messages is still invisible. */
  private locked(list: Msg[], now: number): boolean {
    for (const m of list) {
      if (m.receives === 0) return false;
      if (m.visibleAt > now) return true;
    }
    return false;
  }

  /** The stored message a receipt handle names (callers compare its token with the current one). */
  byReceipt(key: string): Msg | undefined {
    return this.msgs.get(key);
  }

  remove(m: Msg): void {
    if (!this.msgs.delete(m.key)) return;
    this.c.content.delete(m.key);
    this.c.state.delete(m.key);
    if (this.fifo) {
      const list = this.groups.get(m.group!);
      const i = list ? list.indexOf(m) : -1;
      if (i >= 0) list!.splice(i, 1);
      if (list && list.length === 0) this.groups.delete(m.group!);
      this.notify(); // the group may be unlocked
    }
  }

  private saveState(m: Msg): void {
    this.c.state.put(m.key, {
      visibleAt: m.visibleAt,
      receives: m.receives,
      firstReceiveMs: m.firstReceiveMs,
      receivedMs: m.receivedMs,
      token: m.token,
    });
  }

  setVisibility(m: Msg, visibilityMs: number, now: number): void {
    m.visibleAt = now + visibilityMs;
    this.saveState(m);
    if (!this.fifo) this.heap.push({ at: m.visibleAt, key: m.key });
    if (visibilityMs === 0) this.notify();
  }

  /** Received messages whose visibility timeout ran out in (from, to]: for the clock timeline. */
  visibilityEnded(from: number, to: number): number {
    let n = 0;
    for (const m of this.msgs.values()) if (m.receives > 0 && m.visibleAt > from && m.visibleAt <= to) n++;
    return n;
  }

  /** Visible, in flight, delayed (expired messages are dropped on the way). */
  counts(now: number): { visible: number; inFlight: number; delayed: number; oldestSentMs?: number } {
    let visible = 0,
      inFlight = 0,
      delayed = 0,
      oldestSentMs: number | undefined;
    for (const m of [...this.msgs.values()]) {
      if (this.expired(m, now)) {
        this.remove(m);
        continue;
      }
      if (m.visibleAt <= now) visible++;
      else if (m.receives > 0) inFlight++;
      else delayed++;
      if (oldestSentMs === undefined || m.sentMs < oldestSentMs) oldestSentMs = m.sentMs;
    }
    return { visible, inFlight, delayed, oldestSentMs };
  }

  /** The next time something hidden becomes visible, for long polls to wake at. */
  nextVisibleAt(now: number): number | undefined {
    if (!this.fifo) {
      // the heap's top, once entries gone stale (deleted, re-timed messages) are dropped
      for (let top = this.heap.peek(); top; top = this.heap.peek()) {
        const m = this.msgs.get(top.key);
        if (m && m.visibleAt === top.at) return top.at > now ? top.at : now;
        this.heap.pop();
      }
      return undefined;
    }
    let next: number | undefined;
    for (const m of this.msgs.values()) if (m.visibleAt > now && (next === undefined || m.visibleAt < next)) next = m.visibleAt;
    return next;
  }

  /** Messages now visible, oldest first (message move tasks). */
  visibleMessages(now: number, limit: number): Msg[] {
    const out: Msg[] = [];
    for (const m of this.msgs.values()) {
      if (out.length >= limit) break;
      if (m.visibleAt <= now && !this.expired(m, now)) out.push(m);
    }
    return out;
  }

  purge(): void {
    this.msgs.clear();
    this.heap.clear();
    this.groups.clear();
    this.c.content.clear();
    this.c.state.clear();
    this.attempts.clear();
    this.c.attempts.clear();
  }

  /** The queue is deleted: its messages and dedup records go, waiting polls return. */
  drop(): void {
    this.purge();
    this.dedups.clear();
    this.c.dedup.clear();
    this.deleted = true;
    this.notify();
  }
}
