/**
 * The dashboard, served by `anvil serve` at `/` on the same server as the API: an HTML page, its plain ES
 * modules (platform/dashboard/web/), the report charts it shares (dist/reports/charts/, data to Plot
 * options) and Plot and d3 from their packages' own dist files. Nothing here reads the state: the page
 * asks for a token and calls the API with it, so a tenant sees what the API lets it see. The files are
 * public, like the OpenAPI page; the Content-Security-Policy lets the page load and call this server only.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AnvilError } from '../errors.js';
import { packageRoot } from '../../bench/package-root.js';

/** Where the dashboard's files are served from; the page's own modules import each other under it. */
export const DASHBOARD_PREFIX = '/dashboard';

/**
 * The chart modules the page imports: those that import nothing but Plot (plot-options.js), never the
 * server's renderer (plot-svg.js, jsdom). A test holds every one of them free of jsdom.
 */
export const BROWSER_CHART_MODULES = [
  'plot-options.js',
  'cluster-usage.js',
  'run-series.js',
  'run-compare.js',
  'run-latency-cdf.js',
  'node-utilisation.js',
  'placement-scores.js',
  'comparison.js',
  'cost-bars.js',
  'cumulative-cost.js',
  'npv-bands.js',
  'tornado.js',
] as const;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

const FileParams = Type.Object({ file: Type.String({ pattern: '^[a-z0-9][a-z0-9.-]*\\.(js|css)$', maxLength: 100 }) });

/** The folder of an installed package, looked for in node_modules from `from` upwards (as Node resolves it). */
export function packageDir(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`the package ${name} is not installed above ${from}; run npm install`);
  }
}

/** The vendor files: Plot's and d3's UMD builds (globals Plot and d3), as their packages ship them. */
function vendorFiles(): Record<string, string> {
  const plot = packageDir('@observablehq/plot', packageRoot());
  const d3 = packageDir('d3', plot);
  return { 'd3.min.js': join(d3, 'dist', 'd3.min.js'), 'plot.umd.min.js': join(plot, 'dist', 'plot.umd.min.js') };
}

/**
 * The ES module `@observablehq/plot` maps to in the page: Plot's exports, read from the global its UMD
 * build sets. Its names are Plot's own, taken from the package itself.
 */
async function plotModule(): Promise<string> {
  const names = Object.keys(await import('@observablehq/plot')).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
  return `// Plot's exports as an ES module, over the UMD build's global (served by anvil serve).\nconst Plot = globalThis.Plot;\nexport const { ${names.join(', ')} } = Plot;\nexport default Plot;\n`;
}

const IMPORT_MAP = JSON.stringify({ imports: { '@observablehq/plot': `${DASHBOARD_PREFIX}/vendor/plot.js` } });

/** The page: web/index.html with the import map in place, and the policy that lets only that inline script run. */
function pageOf(webDir: string): { html: string; policy: string } {
  const html = readFileSync(join(webDir, 'index.html'), 'utf8').replace('<!--IMPORT-MAP-->', IMPORT_MAP);
  const hash = createHash('sha256').update(IMPORT_MAP).digest('base64');
  const policy = [
    "default-src 'self'",
    `script-src 'self' 'sha256-${hash}'`,
    // Plot sets inline style attributes on its SVG.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
  return { html, policy };
}

function notServed(file: string): AnvilError {
  return new AnvilError('ANVIL_ERR_ROUTE_NOT_FOUND', `the dashboard has no file ${file}; open / for the dashboard`);
}

export const dashboardPlugin: FastifyPluginAsync = async (app) => {
  const root = packageRoot();
  const webDir = join(root, 'platform', 'dashboard', 'web');
  const chartsDir = join(root, 'dist', 'reports', 'charts');
  const webFiles = new Set(readdirSync(webDir).filter((f) => f.endsWith('.js') || f.endsWith('.css')));
  const vendor = vendorFiles();
  let plot: string | undefined;
  const page = pageOf(webDir);
  // Hidden from the OpenAPI document (files, not API routes); public: the page itself asks for the token.
  const config = { public: true };
  const send = (reply: FastifyReply, path: string, body: string | Buffer) =>
    reply
      .type(TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream')
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .send(body);

  app.get('/', { config, schema: { hide: true } }, async (_req, reply) =>
    reply
      .type(TYPES['.html']!)
      .header('content-security-policy', page.policy)
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .send(page.html),
  );
  app.get<{ Params: Static<typeof FileParams> }>(
    `${DASHBOARD_PREFIX}/:file`,
    { config, schema: { hide: true, params: FileParams } },
    async (req, reply) => {
      if (!webFiles.has(req.params.file)) throw notServed(req.params.file);
      return send(reply, req.params.file, readFileSync(join(webDir, req.params.file)));
    },
  );
  app.get<{ Params: Static<typeof FileParams> }>(
    `${DASHBOARD_PREFIX}/charts/:file`,
    { config, schema: { hide: true, params: FileParams } },
    async (req, reply) => {
      const file = req.params.file;
      if (!(BROWSER_CHART_MODULES as readonly string[]).includes(file)) throw notServed(`charts/${file}`);
      const path = join(chartsDir, file);
      if (!existsSync(path))
        throw new AnvilError(
          'ANVIL_ERR_ROUTE_NOT_FOUND',
          `the dashboard's chart module ${file} is not built; run npm run build in the anvil package (it compiles dist/reports/charts)`,
        );
      return send(reply, file, readFileSync(path));
    },
  );
  app.get<{ Params: Static<typeof FileParams> }>(
    `${DASHBOARD_PREFIX}/vendor/:file`,
    { config, schema: { hide: true, params: FileParams } },
    async (req, reply) => {
      const file = req.params.file;
      if (file === 'plot.js') return send(reply, file, (plot ??= await plotModule()));
      const path = vendor[file];
      if (path === undefined) throw notServed(`vendor/${file}`);
      return send(reply, file, readFileSync(path));
    },
  );
};
