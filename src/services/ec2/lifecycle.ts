// The instance state machine on the virtual clock: pending → running, stopping → stopped,
// shutting-down → terminated, each after a fixed virtual delay; read lazily (a record is settled
// when it is read, by comparing its transition time with the clock). Terminated instances stay
// visible for an hour, as in EC2.
import type { Rec } from './store.js';

export const STATE_CODES: Record<string, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};
/** virtual milliseconds each transitional state lasts */
export const TRANSITION_MS = { pending: 15_000, stopping: 15_000, 'shutting-down': 15_000 } as const;
export const TERMINATED_VISIBLE_MS = 60 * 60_000;

const NEXT: Record<string, string> = { pending: 'running', stopping: 'stopped', 'shutting-down': 'terminated' };

export const stateOf = (name: string) => ({ Code: STATE_CODES[name], Name: name });

/** Moves a record into a state, scheduling the next transition when the state is transitional. */
export function enter(rec: Rec, name: string, nowMs: number, reason?: string): void {
  rec.State = stateOf(name);
  const delay = (TRANSITION_MS as Record<string, number>)[name];
  rec._dueAt = delay === undefined ? undefined : nowMs + delay;
  if (name === 'terminated' || name === 'stopped') rec._endedAt = nowMs;
  if (reason !== undefined) rec.StateTransitionReason = reason;
}

/** Brings a record up to the clock; true when it changed. */
export function settle(rec: Rec, nowMs: number): boolean {
  let changed = false;
  while (rec._dueAt !== undefined && rec._dueAt <= nowMs) {
    const at = rec._dueAt as number;
    const next = NEXT[rec.State.Name];
    if (!next) break;
    enter(rec, next, at);
    if (next === 'stopped') {
      rec.StateTransitionReason = `User initiated (${new Date(at)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' GMT')})`;
      rec.StateReason = { Code: 'Client.UserInitiatedShutdown', Message: 'Client.UserInitiatedShutdown: User initiated shutdown' };
    }
    if (next === 'terminated')
      rec.StateReason = { Code: 'Client.UserInitiatedShutdown', Message: 'Client.UserInitiatedShutdown: User initiated shutdown' };
    changed = true;
  }
  return changed;
}

/** A terminated instance past its hour of visibility. */
export const expired = (rec: Rec, nowMs: number) =>
  rec.State.Name === 'terminated' && rec._endedAt !== undefined && nowMs - rec._endedAt > TERMINATED_VISIBLE_MS;
