// Which field of a form an API error names: the server's schema errors name the body's field
// ("body/gateway: must match format", "must have required property 'subnet'", "body.manifests:3: ..."), the
// domain's name the CLI's flag ("--gateway 10.1.0.5 lies inside the range") or both ("storage_iops
// (--storage-iops)"), and an object that exists names its name. No DOM: the node tests import it too.

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The patterns that say a text is about `field` ({name: the body's field, flag: the CLI's option}). */
function patternsOf(field) {
  const name = escape(field.name);
  const patterns = [new RegExp(`\\bbody[/.]${name}\\b`), new RegExp(`required property '${name}'`)];
  // A body field named in the domain's words ("storage_iops (--storage-iops)"); a plain word ("start") would
  // match prose, so only names with an underscore are looked for bare.
  if (field.name.includes('_')) patterns.push(new RegExp(`(^|[\\s(])${name}\\b`));
  // The domain's "network name "X" is not allowed".
  if (field.name === 'name') patterns.push(/\bname "/);
  if (field.flag) patterns.push(new RegExp(`(^|[\\s(])${escape(field.flag)}\\b(?!-)`));
  // An object the field names that is not there: "perf tier gold does not exist".
  if (field.names) patterns.push(new RegExp(`\\b${escape(field.names)} \\S+ does not exist`));
  return patterns;
}

/** Where in `text` the field is first named, or Infinity. */
function firstMention(field, text) {
  let at = Infinity;
  for (const p of patternsOf(field)) {
    const m = p.exec(text);
    if (m) at = Math.min(at, m.index);
  }
  return at;
}

/** The field named first in `text` (on a tie, the earlier field). */
function earliest(fields, text) {
  let best;
  let bestAt = Infinity;
  for (const f of fields) {
    const at = firstMention(f, text);
    if (at < bestAt) [best, bestAt] = [f, at];
  }
  return best;
}

/**
 * The coded error `error` ({code, message, details?}) sorted by field: `fields` maps each text (a detail,
 * or the message when it has none) to the field it names first (the sentence's subject: "--max-storage-iops
 * 100 is below --storage-iops 5000" is the maximum's problem); what names none goes to `form`. An object
 * that exists is the name field's problem.
 */
export function fieldErrors(error, fields) {
  const byField = new Map();
  const form = [];
  // The name last: other fields' messages may say "name" in passing.
  const ordered = [...fields.filter((f) => f.name !== 'name'), ...fields.filter((f) => f.name === 'name')];
  const texts = error.details?.length ? error.details : [error.message];
  for (const text of texts) {
    const field =
      error.code === 'ANVIL_ERR_OBJECT_EXISTS' && fields.some((f) => f.name === 'name')
        ? fields.find((f) => f.name === 'name')
        : earliest(ordered, text);
    if (field === undefined) form.push(text);
    else byField.set(field.name, [...(byField.get(field.name) ?? []), text]);
  }
  return { byField, form };
}
