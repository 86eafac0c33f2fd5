/**
 * What the benchmark reads from /proc (Linux only): the resident memory of this process and every descendant
 * (all of Chrome's processes), and the CPU time spent by this process and its finished children.
 */
import fs from 'node:fs';

const PAGE_BYTES = 4096;
const CLOCK_TICKS_PER_SECOND = 100;

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Fields of /proc/<pid>/stat after the command name, which may itself hold spaces and parentheses. */
function statFields(pid: number | 'self'): string[] | null {
  const text = readOrNull(`/proc/${pid}/stat`);
  if (!text) return null;
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

function parentsByPid(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    // fields[0] is the state, fields[1] the parent pid.
    if (fields?.[1]) parents.set(Number(entry), Number(fields[1]));
  }
  return parents;
}

/** The process and every process under it. */
export function descendantsOf(root: number): number[] {
  const parents = parentsByPid();
  const tree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!tree.has(pid) && tree.has(parent)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

/** Resident memory of one process, 0 once it is gone. */
export function rssBytes(pid: number): number {
  const fields = readOrNull(`/proc/${pid}/statm`)?.split(' ');
  return fields?.[1] ? Number(fields[1]) * PAGE_BYTES : 0;
}

/** Resident memory of a process (this one by default) and all its descendants now. Shared pages count once per process. */
export function treeRssBytes(root = process.pid): number {
  return descendantsOf(root).reduce((sum, pid) => sum + rssBytes(pid), 0);
}

/**
 * CPU milliseconds used by this process plus its children that have exited and been waited for. Chrome's
 * helpers are waited for by Chrome, and Chrome by us when the browser closes, so after a close this includes
 * the whole browser.
 */
export function cpuMsIncludingReapedChildren(): number {
  const fields = statFields('self');
  if (!fields) return Number.NaN;
  // utime, stime, cutime, cstime are fields 14-17 of stat, 12-15 here.
  const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index] ?? 0), 0);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Samples treeRssBytes(root) until stopped; returns the peak. */
export function samplePeakRss(intervalMs: number, root = process.pid): { stop(): number } {
  let peak = treeRssBytes(root);
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRssBytes(root));
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, treeRssBytes(root));
    },
  };
}
