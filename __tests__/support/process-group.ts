/**
 * What is left of a process group, as `ps` sees it: the tests check a started app's group with a tool of their own,
 * not with the code under test. Zombies are dead (only not yet reaped by their parent), so they do not count.
 */
import { execFileSync } from 'node:child_process';

export function livingGroupMembers(pgid: number): string[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,pgid=,stat=,args='], { encoding: 'utf8' });
  return table
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, group, stat]) => Number(group) === pgid && stat !== undefined && !stat.startsWith('Z'))
    .map((fields) => `${fields[0]} ${fields.slice(3).join(' ')}`);
}

/**
 * The members of a group still alive once it has had time to go: a SIGKILL is delivered at once, but a process on a
 * busy machine may be seen by `ps` until it is next scheduled. Asks again until none is left or `settleMs` has passed,
 * so a group that stays is still reported, and one that is going is not a failure.
 */
export async function groupMembersLeft(pgid: number, settleMs = 10_000): Promise<string[]> {
  const deadline = Date.now() + settleMs;
  let members = livingGroupMembers(pgid);
  while (members.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    members = livingGroupMembers(pgid);
  }
  return members;
}

/** For a test's cleanup: nothing it started may outlive it, whatever the assertions said. */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** The process group a run started its app in, from the line it logs. */
export function startedGroup(log: string): number {
  const match = /process group (\d+)/.exec(log);
  if (!match) throw new Error(`no "process group" in:\n${log}`);
  return Number(match[1]);
}
