// Calls to the Anvil API with the token the user gave (kept in this tab's sessionStorage only).

const TOKEN_KEY = 'anvil.token';
export const API = '/apis/anvil.dev/v1';

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An answer of the API that is not 2xx: its status and coded error. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(`${code}: ${message}`);
    this.status = status;
    this.code = code;
  }
}

/** GET `path` (under the API prefix unless it starts with /) as the token's user; throws ApiError. */
export async function get(path) {
  const url = path.startsWith('/') ? path : `${API}/${path}`;
  const response = await fetch(url, { headers: { authorization: `Bearer ${token.get()}`, accept: 'application/json' } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, body.code ?? `HTTP ${response.status}`, body.message ?? response.statusText);
  return body;
}

/** GET `path` under the API prefix as text (a report's page); throws ApiError with the coded error. */
export async function getText(path) {
  const response = await fetch(`${API}/${path}`, { headers: { authorization: `Bearer ${token.get()}` } });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new ApiError(response.status, body.code ?? `HTTP ${response.status}`, body.message ?? response.statusText);
  }
  return response.text();
}

/**
 * A section's data, or null when the token may not view it (403): the page then says so in place of the
 * section, rather than failing the whole page. Any other error is thrown.
 */
export async function getIfAllowed(path) {
  try {
    return await get(path);
  } catch (e) {
    if (e instanceof ApiError && e.status === 403) return null;
    throw e;
  }
}

/** POST (or another method) a JSON body under the API prefix as the token's user; throws ApiError with the body's details. */
export async function send(method, path, body) {
  const response = await fetch(`${API}/${path}`, {
    method,
    headers: { authorization: `Bearer ${token.get()}`, accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new ApiError(response.status, answer.code ?? `HTTP ${response.status}`, answer.message ?? response.statusText);
    error.details = Array.isArray(answer.details) ? answer.details : [];
    error.bare = answer.message ?? response.statusText;
    throw error;
  }
  return answer;
}
