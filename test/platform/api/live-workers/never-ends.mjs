// A run worker for the stream tests (live-run-streams.test.ts): it starts, says one progress, and never ends
// (until the server's close terminates it), so a stream on it stays open for as long as the test needs.
import { parentPort } from 'node:worker_threads';

parentPort.postMessage({ type: 'started', scenario: 'never ends', stack: 'hci', seed: 1, duration_ns: 1e9 });
parentPort.postMessage({ type: 'progress', now_ns: 1e6, end_ns: 1e9, ios: 0 });
setInterval(() => {}, 1 << 30);
