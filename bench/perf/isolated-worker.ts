/** Worker side of `isolated.ts`: imports the module, calls the export, posts its result back. */
import { parentPort, workerData } from 'node:worker_threads';

const { moduleUrl, exportName, args } = workerData as { moduleUrl: string; exportName: string; args: unknown[] };
const module = (await import(moduleUrl)) as Record<string, unknown>;
const fn = module[exportName];
if (typeof fn !== 'function') throw new TypeError(`isolated: ${moduleUrl} has no function export "${exportName}"`);
parentPort!.postMessage(await (fn as (...a: unknown[]) => unknown)(...args));
