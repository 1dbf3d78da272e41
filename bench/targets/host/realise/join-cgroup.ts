/**
 * `node join-cgroup.js PROCS_FILE... -- COMMAND ARG...`: the exec prefix that puts a pod's workload into
 * its cgroups without a shell. It writes its own pid into each cgroup.procs file, then runs COMMAND,
 * which (and every process it forks, fio's job processes) inherits those cgroups; signals are passed
 * on and it exits as COMMAND exits.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const cut = args.indexOf('--');
const procs = cut < 0 ? [] : args.slice(0, cut);
const command = cut < 0 ? [] : args.slice(cut + 1);
if (command.length === 0) {
  process.stderr.write('usage: join-cgroup.js PROCS_FILE... -- COMMAND ARG...\n');
  process.exit(2);
}
try {
  for (const file of procs) writeFileSync(file, `${process.pid}\n`);
} catch (e) {
  process.stderr.write(`join-cgroup: cannot join ${procs.join(', ')}: ${(e as Error).message}\n`);
  process.exit(126);
}
const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('error', (e) => {
  process.stderr.write(`join-cgroup: cannot run ${command[0]}: ${e.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGKILL' ? 137 : 143)));
