// The process group an instance's user data runs in (its own session, so whatever the script
// leaves running in the background belongs to it too), and how it is ended: SIGTERM to the whole
// group, SIGKILL to what is left after a grace period, as a shutdown would.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

const GRACE_MS = 2000;
const GIVE_UP_MS = 5000;
const POLL_MS = 50;

function signal(pgid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * The live members of a group. /proc tells zombies apart (a member whose parent is gone may wait
 * to be reaped by init, and a signal to the group still "reaches" it); undefined off Linux.
 */
function membersOf(pgid: number): string[] | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return undefined;
  }
  return pids.filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(pgrp) === pgid && state !== 'Z' && state !== 'X';
    } catch {
      return false; // the process ended while being read
    }
  });
}

function groupAlive(pgid: number): boolean {
  const members = membersOf(pgid);
  return members ? members.length > 0 : signal(pgid, 0);
}

/**
 * Ends a group an earlier Nimbus left running (it was killed with SIGKILL and could not), when a
 * live member still carries `marker` in its environment: a recycled process id is left alone.
 */
export async function endLeftovers(pgid: number, marker: string): Promise<void> {
  const ours = (membersOf(pgid) ?? []).some((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`).includes(`${marker}\0`);
    } catch {
      return false;
    }
  });
  if (ours) await endGroup(pgid);
}

/** Ends a group; resolves once no member is alive (or after GIVE_UP_MS). */
export async function endGroup(pgid: number): Promise<void> {
  if (!signal(pgid, 'SIGTERM')) return;
  let killed = false;
  for (let waited = 0; waited < GIVE_UP_MS; waited += POLL_MS) {
    if (!groupAlive(pgid)) return;
    if (!killed && waited >= GRACE_MS) killed = signal(pgid, 'SIGKILL');
    await delay(POLL_MS);
  }
}

/** Kills a group at once (Nimbus is closing and cannot wait). */
export function killGroup(pgid: number): void {
  signal(pgid, 'SIGKILL');
}
