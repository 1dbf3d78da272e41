// A run started from the page: the form that starts it (POST /runs) and its stream (GET /runs/ID/events),
// read with fetch so the token goes in a header, never in a URL (EventSource sends no headers). A dropped
// stream is taken up again after the last event received (Last-Event-ID): no gap, no duplicate.
import { API, ApiError, get, token } from './api.js';
import { h } from './dom.js';

/** POST `body` as JSON to `path` under the API prefix; the answer, or ApiError with its coded error. */
async function post(path, body) {
  const response = await fetch(`${API}/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token.get()}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, answer.code ?? `HTTP ${response.status}`, answer.message ?? response.statusText);
  return answer;
}

/** The form that starts a scenario run on the model; on success the page goes to the run. */
export async function startRunForm(clusterRuns = true, tenants = []) {
  let offer;
  try {
    offer = await get('scenarios');
  } catch (e) {
    return h('p', { class: 'note' }, `Runs cannot be started here: ${e.message}`);
  }
  const scenario = h(
    'select',
    { id: 'run-scenario', name: 'scenario', required: true },
    ...offer.scenarios.map((s) => h('option', { value: s }, s)),
  );
  const stack = h(
    'select',
    { id: 'run-stack', name: 'stack' },
    h('option', { value: '' }, "the scenario's"),
    h('option', { value: 'hci' }, 'hci'),
    h('option', { value: 'diy' }, 'diy'),
  );
  const seed = h('input', {
    id: 'run-seed',
    name: 'seed',
    type: 'number',
    min: 0,
    step: 1,
    inputmode: 'numeric',
    placeholder: "the scenario's",
  });
  // Who sees the run: the cluster's view alone, or a tenant's users too (a tenant user has only its tenants).
  const owner = h(
    'select',
    { id: 'run-tenant', name: 'tenant' },
    ...(clusterRuns ? [h('option', { value: '' }, "the cluster's own")] : []),
    ...tenants.map((ns) => h('option', { value: ns }, `tenant ${ns}`)),
  );
  const said = h('p', { class: 'error', role: 'alert', hidden: true });
  const form = h(
    'form',
    { class: 'compare-choice start-run', 'aria-labelledby': 'start-run-title' },
    h('h2', { id: 'start-run-title' }, 'Start a run on the model'),
    h('label', { for: 'run-scenario' }, 'Scenario'),
    scenario,
    h('label', { for: 'run-stack' }, 'Stack'),
    stack,
    h('label', { for: 'run-seed' }, 'Seed'),
    seed,
    h('label', { for: 'run-tenant' }, 'Run of'),
    owner,
    h('button', { type: 'submit' }, 'Start run'),
    h(
      'p',
      { class: 'note' },
      `At most ${offer.max_runs} runs at once and ${offer.max_simulated_s} s simulated each; the run stops past ${offer.max_ios} drive I/Os.`,
    ),
    said,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    said.hidden = true;
    const body = { scenario: scenario.value };
    if (stack.value) body.stack = stack.value;
    if (seed.value !== '') body.seed = Number(seed.value);
    if (owner.value) body.tenant = owner.value;
    try {
      const run = await post('runs', body);
      location.hash = `#/runs/${encodeURIComponent(run.id)}`;
    } catch (e) {
      said.textContent = e.message;
      said.hidden = false;
    }
  });
  return form;
}

/** The events of an event-stream text; returns them and the rest (an event not yet whole). */
function parseEvents(text) {
  const blocks = text.split('\n\n');
  const rest = blocks.pop();
  const events = [];
  for (const block of blocks) {
    const fields = {};
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const at = line.indexOf(':');
      fields[line.slice(0, at)] = line.slice(at + 1).replace(/^ /, '');
    }
    if (fields.event !== undefined) events.push({ id: Number(fields.id), event: fields.event, data: JSON.parse(fields.data) });
  }
  return { events, rest };
}

/**
 * Follows run `id`'s events until it ends (`done` or `failed`), calling `onEvent` once per event in order;
 * a stream that drops is taken up after the last event received. Stops when `signal` aborts.
 */
export async function followRun(id, onEvent, signal) {
  let last = 0;
  for (let attempt = 0; attempt < 20 && !signal.aborted; attempt++) {
    let response;
    try {
      response = await fetch(`${API}/runs/${encodeURIComponent(id)}/events`, {
        headers: {
          authorization: `Bearer ${token.get()}`,
          accept: 'text/event-stream',
          ...(last > 0 ? { 'last-event-id': String(last) } : {}),
        },
        signal,
      });
    } catch (e) {
      if (signal.aborted) return;
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new ApiError(response.status, body.code ?? `HTTP ${response.status}`, body.message ?? response.statusText);
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const parsed = parseEvents(text + value);
        text = parsed.rest;
        for (const e of parsed.events) {
          if (e.id <= last) continue; // said already (never expected: the server resumes after `last`)
          last = e.id;
          onEvent(e);
          if (e.event === 'done' || e.event === 'failed') return;
        }
      }
    } catch (e) {
      if (signal.aborted) return;
    }
  }
}
