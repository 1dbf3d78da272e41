/**
 * docs/reference/errors.md from the error catalogue (platform/errors.ts): every code with its HTTP status and
 * what it means, in the catalogue's order (grouped by area there). This page is the catalogue's one copy in
 * prose; the CLI's exit codes come from main.ts's EXIT.
 */
import { ERRORS } from '../../errors.js';
import { EXIT } from '../main.js';
import { code, generatedBanner, page, table, text } from './markdown.js';

/** The page's Markdown. */
export function errorsReference(): string {
  const rows = Object.values(ERRORS).map((spec) => [code(spec.code), String(spec.status), text(spec.summary)]);
  return page([
    generatedBanner('platform/errors.ts'),
    '# Error codes',
    'Every error Anvil reports to a user has a stable code from `platform/errors.ts`. The CLI prints ' +
      '`CODE: message` (with one indented line per detail) on stderr; the API answers with the HTTP status ' +
      'below and a JSON body `{ code, message, details? }`. Codes are never reused once retired.',
    table(['code', 'HTTP', 'meaning'], rows),
    '## Exit codes of `anvil`',
    table(
      ['exit code', 'when'],
      [
        [String(EXIT.ok), 'done'],
        [String(EXIT.error), 'an error of the command (a code above); for `anvil check`, an SLA that failed'],
        [
          String(EXIT.usage),
          'a usage error: a bad flag, value or command (`ANVIL_ERR_USAGE`); for `anvil check`, every error but a failed SLA',
        ],
        [String(EXIT.internal), 'an internal error (`anvil: internal error: ...`): a bug'],
      ],
    ),
    'Anything on stderr that is not `CODE: message` is a bug: run again with `ANVIL_DEBUG=1` for the stack and report it.',
  ]);
}
