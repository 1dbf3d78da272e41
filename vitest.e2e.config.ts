import { defineConfig } from 'vitest/config';
import { END_TO_END_SUITES, sharedTestOptions } from './vitest.config.js';

/** `npm run test:e2e`: the end-to-end suites `npm test` leaves out (see vitest.config.ts). */
export default defineConfig({ test: { include: [...END_TO_END_SUITES], ...sharedTestOptions } });
