// Operate: create a network, a perf tier, a volume; apply manifests. Only the forms the token's roles allow
// are offered (/whoami); the server checks again. Every check is the API's (the CLI's domain): its coded
// error is shown next to the field it names, the rest above the form's button.
import { ApiError, getIfAllowed, send } from './api.js';
import { h } from './dom.js';
import { fieldErrors } from './field-errors.js';
import { bodyOf, formsFor } from './operate-forms.js';

const inputId = (form, field) => `${form.id}-${field.name}`;
const errorId = (form, field) => `${inputId(form, field)}-error`;

function inputOf(form, field, tiers) {
  const id = inputId(form, field);
  const common = { id, name: field.name, 'aria-describedby': errorId(form, field) };
  if (field.type === 'checkbox') return h('input', { ...common, type: 'checkbox' });
  if (field.type === 'textarea') return h('textarea', { ...common, rows: 12, cols: 80, spellcheck: 'false' });
  if (field.type === 'select')
    return h(
      'select',
      common,
      h('option', { value: '' }, '(default: best-effort)'),
      tiers.map((t) => h('option', { value: t.name }, t.name)),
    );
  // Numbers go as text inputs with a numeric keyboard: the API, not the browser, says what is wrong with them.
  return h('input', { ...common, type: 'text', inputmode: field.type === 'number' ? 'decimal' : null, autocomplete: 'off' });
}

function fieldBlock(form, field, tiers) {
  const input = inputOf(form, field, tiers);
  const label = h('label', { for: inputId(form, field) }, field.label, field.optional || field.type === 'checkbox' ? ' (optional)' : '');
  const error = h('p', { id: errorId(form, field), class: 'error field-error', hidden: true });
  return h('div', { class: `field field-${field.type}` }, ...(field.type === 'checkbox' ? [input, label] : [label, input]), error);
}

function formBlock({ form, namespaces }, tiers) {
  const nsId = `${form.id}-namespace`;
  const status = h('p', { role: 'status', class: 'done' });
  const formError = h('div', { class: 'error form-error', role: 'alert', hidden: true });
  const element = h(
    'form',
    { class: 'operate', id: `form-${form.id}`, novalidate: true, 'aria-labelledby': `${form.id}-title` },
    h('h2', { id: `${form.id}-title` }, form.title),
    form.namespaced
      ? h(
          'div',
          { class: 'field' },
          h('label', { for: nsId }, 'Namespace'),
          h(
            'select',
            { id: nsId, name: 'namespace' },
            namespaces.map((ns) => h('option', { value: ns }, ns)),
          ),
        )
      : null,
    form.fields.map((field) => fieldBlock(form, field, tiers)),
    formError,
    h('button', { type: 'submit' }, form.title),
    status,
  );
  const clear = () => {
    formError.hidden = true;
    formError.replaceChildren();
    status.textContent = '';
    for (const field of form.fields) {
      element.querySelector(`#${errorId(form, field)}`).hidden = true;
      element.querySelector(`#${inputId(form, field)}`).removeAttribute('aria-invalid');
    }
  };
  element.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear();
    const values = {};
    for (const field of form.fields) {
      const input = element.querySelector(`#${inputId(form, field)}`);
      values[field.name] = field.type === 'checkbox' ? input.checked : input.value;
    }
    const ns = form.namespaced ? element.querySelector(`#${nsId}`).value : undefined;
    const button = element.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const answer = await send('POST', form.path(ns), bodyOf(form, values));
      status.textContent = form.done(answer);
      element.reset();
      // A new tier is at once a choice of the volume form on this page.
      const tiers = form.id === 'perftier' ? document.getElementById('volume-perf_tier') : null;
      tiers?.append(h('option', { value: answer.name }, answer.name));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      showError(form, element, formError, { code: e.code, message: e.bare ?? e.message, details: e.details ?? [] });
    } finally {
      button.disabled = false;
    }
  });
  return element;
}

/** The API's error on the page: each text by the field it names (the first such field focused), the rest above the button. */
function showError(form, element, formError, error) {
  const { byField, form: rest } = fieldErrors(error, form.fields);
  let first;
  for (const [name, texts] of byField) {
    const field = form.fields.find((f) => f.name === name);
    const p = element.querySelector(`#${errorId(form, field)}`);
    p.textContent = texts.map((t) => `${error.code}: ${t}`).join(' ');
    p.hidden = false;
    const input = element.querySelector(`#${inputId(form, field)}`);
    input.setAttribute('aria-invalid', 'true');
    first ??= input;
  }
  if (rest.length) {
    formError.replaceChildren(...rest.map((t) => h('p', {}, `${error.code}: ${t}`)));
    formError.hidden = false;
  }
  first?.focus();
}

export async function operatePage(_contentWidth, me) {
  const canList = me.cluster_views.includes('tenant');
  const [namespaces, tiers] = await Promise.all([
    canList ? getIfAllowed('namespaces') : null,
    me.cluster_views.includes('perftier') ? getIfAllowed('perf-tiers') : null,
  ]);
  const offered = formsFor(
    me,
    (namespaces ?? []).map((n) => n.name),
  );
  if (offered.length === 0)
    return [
      h('h1', {}, 'Operate'),
      h('p', { class: 'note' }, `This token may not change anything from this page (its roles: ${me.roles.join(', ') || 'none'}).`),
    ];
  return [
    h('h1', {}, 'Operate'),
    h('p', { class: 'note' }, 'The forms this token may use. The server checks each as the CLI does and names the field at fault.'),
    ...offered.map((o) => formBlock(o, tiers ?? [])),
  ];
}
