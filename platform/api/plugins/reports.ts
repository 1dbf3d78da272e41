/**
 * The reports of `anvil serve --reports DIR` (else of --runs DIR): the list, and each report's file served
 * from that folder only (report-files.ts). The reports are the cluster's, as the runs are: a cluster-wide
 * view role. A served page runs no script and loads nothing: its own Content-Security-Policy says so.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AnvilError } from '../../errors.js';
import { authorize } from '../../domain/tenancy.js';
import { actorOf } from '../auth.js';
import { answer } from '../object-schemas.js';
import { bearer, NoQuery, responses } from '../schemas.js';
import { listReports, REPORT_LIST_LIMIT, reportFile } from '../report-files.js';

const ReportListingView = answer(
  {
    path: Type.String({ description: 'the file, from the reports folder, with / separators: what GET /reports/file?path= takes' }),
    kind: Type.String({ description: 'tco, tco-summary, compare or validation (from the file name)' }),
    title: Type.Optional(Type.String({ description: "the page's title" })),
    size_bytes: Type.Integer({ description: 'bytes' }),
    modified_at: Type.String({ description: 'when the file was last written, ISO 8601 UTC' }),
  },
  'a report',
);
const ReportList = Type.Object(
  {
    folder: Type.Union([Type.String(), Type.Null()], {
      description: 'the reports folder (--reports, else --runs); null when none was given',
    }),
    reports: Type.Array(ReportListingView, { description: `newest first, at most ${REPORT_LIST_LIMIT}` }),
  },
  { description: 'the reports of the reports folder' },
);
const FileQuery = Type.Object(
  { path: Type.String({ minLength: 1, maxLength: 1000, description: 'a path from GET /reports, relative to the reports folder' }) },
  { additionalProperties: false },
);

/** A served report's policy: its inline styles and data: images show; no script, no request, no framing but ours. */
export const REPORT_FILE_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox";

export const reportsPlugin: FastifyPluginAsync<{ folder: string | undefined }> = async (app, { folder }) => {
  const s = { tags: ['reports'], security: bearer };
  const mayView = (req: FastifyRequest) => authorize(actorOf(req), 'cluster', 'view');
  const noFolder = () =>
    new AnvilError(
      'ANVIL_ERR_OBJECT_NOT_FOUND',
      'this server has no reports folder; start anvil serve with --reports DIR (or --runs DIR), the folder anvil tco --out and anvil compare --out write under',
    );
  app.get(
    '/reports',
    {
      schema: {
        ...s,
        operationId: 'listReports',
        summary: 'the reports of the reports folder',
        description: `The TCO reports (tco.html, tco-summary.html), comparison pages (compare.html) and validation pages (validation.html) under the reports folder (anvil serve --reports DIR, else --runs DIR), up to 4 folders deep, newest first, at most ${REPORT_LIST_LIMIT}.`,
        querystring: NoQuery,
        response: responses(ReportList),
      },
    },
    async (req) => {
      mayView(req);
      return { folder: folder ?? null, reports: folder === undefined ? [] : listReports(folder) };
    },
  );
  app.get<{ Querystring: Static<typeof FileQuery> }>(
    '/reports/file',
    {
      schema: {
        ...s,
        operationId: 'getReportFile',
        summary: "a report's file",
        description:
          'A file of the reports folder (.html, .svg, .png, .pdf, .csv, .json) as it is on disk. A path that leaves the folder (.., absolute, a link out) is ANVIL_ERR_PATH_OUTSIDE. An HTML page is served with a Content-Security-Policy that runs no script and loads nothing from elsewhere.',
        querystring: FileQuery,
        response: {
          200: {
            description: 'the file',
            content: { 'text/html': { schema: Type.String({ description: 'the report page, or another served file' }) } },
          },
          '4xx': Type.Ref('ErrorBody'),
          '5xx': Type.Ref('ErrorBody'),
        },
      },
    },
    async (req, reply) => {
      mayView(req);
      if (folder === undefined) throw noFolder();
      const file = reportFile(folder, req.query.path);
      return reply
        .type(file.type)
        .header('content-security-policy', REPORT_FILE_POLICY)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-cache')
        .send(file.body);
    },
  );
};
