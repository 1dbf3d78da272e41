/** Starts the bare Fastify floor server (floor-child.ts) as a child process, for the api and extender sections. */
import { spawn, type ChildProcess } from 'node:child_process';

/** The floor server's module, built beside this one. */
const FLOOR_CHILD = new URL('./floor-child.js', import.meta.url);

/** Starts the floor server; resolves with it and its URL (stop it with `child.kill('SIGTERM')`). */
export function startFloor(): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLOOR_CHILD.pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const url = /listening (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve({ child, url });
    });
    child.on('exit', (code) => reject(new Error(`the floor server exited ${code}: ${out}`)));
  });
}
