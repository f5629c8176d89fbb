/** The processes a test started and must see gone again, found by their command line. */
import * as fs from "node:fs";
import { cmdline, isAlive } from "../../lib/core";

/**
 * The running processes (pids, ascending) whose command line holds `needle`, from /proc through
 * lib/core's cmdline() and isAlive(): what "no process is left" is checked against.
 */
export function processesWith(needle: string): number[] {
  return fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => cmdline(pid)?.includes(needle) && isAlive(pid))
    .sort((a, b) => a - b);
}
