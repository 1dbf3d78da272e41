/**
 * PDF through headless Chromium (Debian's `chromium` package): the HTML file printed as it is, with no
 * network. Without Chromium, a coded error that says how to get it.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AnvilError } from '../../platform/errors.js';

/** Chromium's path: $ANVIL_CHROMIUM, else `chromium` or `chromium-browser` on the PATH; undefined when none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.ANVIL_CHROMIUM) return existsSync(env.ANVIL_CHROMIUM) ? env.ANVIL_CHROMIUM : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      const path = join(dir, name);
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** Flags that keep a headless Chromium from reaching the network or writing to the user's profile. */
export const QUIET_CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-default-apps',
  '--disable-sync',
];

/** Prints `htmlFile` to `pdfFile` with `chromium` (null: none installed); throws ANVIL_ERR_PDF_UNAVAILABLE when Chromium is missing or fails. */
export function printPdf(htmlFile: string, pdfFile: string, chromium: string | null = findChromium() ?? null): void {
  if (!chromium) {
    throw new AnvilError(
      'ANVIL_ERR_PDF_UNAVAILABLE',
      'PDF output needs headless Chromium: install it (Debian: apt-get install chromium) or set ANVIL_CHROMIUM to its path; the HTML report was written and prints to PDF from any browser',
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'anvil-chromium-'));
  try {
    const result = spawnSync(
      chromium,
      [
        '--headless',
        ...QUIET_CHROMIUM_FLAGS,
        `--user-data-dir=${profile}`,
        '--no-pdf-header-footer',
        `--print-to-pdf=${resolve(pdfFile)}`,
        pathToFileURL(resolve(htmlFile)).href,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    if (result.error || result.status !== 0 || !existsSync(pdfFile) || statSync(pdfFile).size === 0) {
      const why = result.error?.message ?? (result.stderr || '').trim().split('\n').slice(-2).join(' ');
      throw new AnvilError(
        'ANVIL_ERR_PDF_UNAVAILABLE',
        `Chromium (${chromium}) did not print the PDF (${why || `exit ${result.status}`}); the HTML report was written and prints to PDF from any browser`,
      );
    }
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
