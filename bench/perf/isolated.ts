/**
 * Runs one exported function of a benchmark module in a fresh worker thread, so that its figure depends
 * neither on what ran before it in this process (V8's type feedback and inlining decisions are
 * per isolate: a call site that saw other event targets in an earlier section would be slower) nor on
 * the order of the sections. Arguments and result must be structured-cloneable.
 */
import { Worker } from 'node:worker_threads';

export function runIsolated<T>(moduleUrl: URL, exportName: string, args: readonly unknown[]): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(new URL('./isolated-worker.js', import.meta.url), {
      workerData: { moduleUrl: moduleUrl.href, exportName, args },
    });
    let settled = false;
    worker.once('message', (result: T) => {
      settled = true;
      resolve(result);
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`isolated: worker for ${exportName} exited with code ${code} before answering`));
    });
  });
}
