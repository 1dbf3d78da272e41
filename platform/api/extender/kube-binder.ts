/**
 * Binding pods in Kubernetes. With `bindVerb` in its extenders stanza, kube-scheduler does not bind the pod
 * itself: the extender must (k8s.io/kubernetes pkg/scheduler/extender.go: "it is the extender's
 * responsibility to bind the pod to apiserver"). So after placing the pod in Anvil, the extender's bind
 * posts a core/v1 Binding, as kube-scheduler's own DefaultBinder does:
 * `POST /api/v1/namespaces/{namespace}/pods/{name}/binding` with
 * `{apiVersion: v1, kind: Binding, metadata: {namespace, name, uid}, target: {kind: Node, name}}`.
 *
 * Where the API is: `anvil serve --kube-apiserver URL [--kube-token-file F] [--kube-ca-file PEM]`, or, in a
 * pod, the in-cluster service account (KUBERNETES_SERVICE_HOST/PORT and /var/run/secrets/kubernetes.io/
 * serviceaccount/{token,ca.crt}). The token file is read on every call: service-account tokens rotate.
 * The reconciler (kube-reconciler.ts) lists pods through the same API.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { AnvilError } from '../../errors.js';
import { readTrustedCa } from '../tls.js';
import { sendText, type TextAnswer } from '../http-text.js';

/** The `anvil serve` flags for the Kubernetes API, as given. */
export interface KubeApiFlags {
  readonly kubeApiserver?: string | undefined;
  readonly kubeTokenFile?: string | undefined;
  readonly kubeCaFile?: string | undefined;
}

/** Where and how to reach the Kubernetes API. */
export interface KubeApi {
  readonly server: URL;
  /** A file holding the bearer token, re-read per call; none for an API that needs none (a local proxy). */
  readonly tokenFile: string | undefined;
  /** PEM of the CA(s) to trust beside Node's; undefined for Node's own. */
  readonly ca: readonly string[] | undefined;
  /** How it was found, for the startup line. */
  readonly source: 'flags' | 'in-cluster';
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
/** A call that takes longer than kube-scheduler's own extender timeout (httpTimeout, default 30 s) is pointless. */
const CALL_TIMEOUT_MS = 10_000;

/** The Kubernetes API from the flags, else from the in-cluster service account, else undefined (bind stays in Anvil). */
export function kubeApiOf(
  flags: KubeApiFlags,
  env: NodeJS.ProcessEnv = process.env,
  serviceAccount = SERVICE_ACCOUNT,
): KubeApi | undefined {
  const { kubeApiserver, kubeTokenFile, kubeCaFile } = flags;
  if (kubeApiserver === undefined) {
    if (kubeTokenFile !== undefined || kubeCaFile !== undefined) {
      throw new AnvilError(
        'ANVIL_ERR_USAGE',
        `${kubeTokenFile !== undefined ? '--kube-token-file' : '--kube-ca-file'} needs --kube-apiserver URL (the Kubernetes API the scheduler extender binds pods through)`,
      );
    }
    const host = env.KUBERNETES_SERVICE_HOST;
    const port = env.KUBERNETES_SERVICE_PORT;
    const token = `${serviceAccount}/token`;
    if (!host || !port || !existsSync(token)) return undefined;
    const ca = `${serviceAccount}/ca.crt`;
    return {
      server: new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}`),
      tokenFile: token,
      ca: existsSync(ca) ? [readTrustedCa('the service account CA', ca)] : undefined,
      source: 'in-cluster',
    };
  }
  let server: URL;
  try {
    server = new URL(kubeApiserver);
  } catch {
    throw new AnvilError(
      'ANVIL_ERR_USAGE',
      `--kube-apiserver ${kubeApiserver} is not a URL; give the API server's, e.g. https://10.0.0.1:6443`,
    );
  }
  if (server.protocol !== 'https:' && server.protocol !== 'http:')
    throw new AnvilError('ANVIL_ERR_USAGE', `--kube-apiserver ${kubeApiserver} is not an http:// or https:// URL`);
  if (kubeTokenFile !== undefined) readToken(kubeTokenFile);
  const ca = kubeCaFile === undefined ? undefined : [...rootCertificates, readTrustedCa('--kube-ca-file', kubeCaFile)];
  return { server, tokenFile: kubeTokenFile, ca, source: 'flags' };
}

function readToken(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (e) {
    throw new AnvilError(
      'ANVIL_ERR_FILE_NOT_FOUND',
      `--kube-token-file ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give a file holding a bearer token for the Kubernetes API`,
    );
  }
  if (text === '' || /\s/.test(text))
    throw new AnvilError('ANVIL_ERR_USAGE', `--kube-token-file ${path} does not hold one bearer token (it is empty or has spaces)`);
  return text;
}

/** The Binding kube-scheduler's DefaultBinder posts, for the same pod and node. */
export function bindingOf(namespace: string, name: string, uid: string, node: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { namespace, name, ...(uid ? { uid } : {}) },
    target: { kind: 'Node', name: node },
  };
}

/** One call to the Kubernetes API: its status and body; a transport failure is ANVIL_ERR_KUBE_API naming `what`. */
async function kubeCall(api: KubeApi, method: 'GET' | 'POST', path: string, what: string, body?: object): Promise<TextAnswer> {
  const url = new URL(path, api.server.href.endsWith('/') ? api.server : `${api.server.href}/`);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
  };
  if (api.tokenFile !== undefined) headers.authorization = `Bearer ${readToken(api.tokenFile)}`;
  return sendText(url, {
    method,
    headers,
    body: payload,
    ca: url.protocol === 'https:' ? api.ca : undefined,
    idleTimeout_ms: CALL_TIMEOUT_MS,
  }).catch((e: Error) => {
    throw new AnvilError(
      'ANVIL_ERR_KUBE_API',
      `${what}: ${e.message}; check --kube-apiserver (or the in-cluster service) and --kube-ca-file`,
    );
  });
}

/** The API's own words: a metav1.Status message, else the start of the body. */
function statusMessage(text: string): string {
  try {
    const s = JSON.parse(text) as { message?: unknown };
    if (typeof s.message === 'string') return s.message;
  } catch {
    // Not JSON: keep the text.
  }
  return text.slice(0, 300);
}

/** Posts the Binding; resolves when the API answers 201 Created, else throws ANVIL_ERR_KUBE_API with its message. */
export async function bindInKubernetes(api: KubeApi, namespace: string, name: string, uid: string, node: string): Promise<void> {
  const what = `binding pod ${namespace}/${name} to node ${node} through ${api.server.origin}`;
  const path = `api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/binding`;
  const { status, text } = await kubeCall(api, 'POST', path, what, bindingOf(namespace, name, uid, node));
  if (status === 201 || status === 200) return;
  const message = statusMessage(text);
  // A repeated bind (kube-scheduler retries after a timeout) finds the pod bound where we asked: done.
  if (status === 409 && message.includes(`already assigned to node "${node}"`)) return;
  const hint =
    status === 401 || status === 403 ? '; the token needs RBAC create on pods/binding (the system:kube-scheduler role has it)' : '';
  throw new AnvilError('ANVIL_ERR_KUBE_API', `${what}: the API answered ${status}: ${message}${hint}`);
}

/** Pages of a pod list the reconciler asks for (the API server caps a page anyway). */
const LIST_PAGE = 500;

/**
 * The UIDs of every pod Kubernetes holds, all namespaces, paged with limit/continue as kubectl does. Throws
 * ANVIL_ERR_KUBE_API unless every page came back: a partial list must never make pods look gone.
 */
export async function kubernetesPodUids(api: KubeApi): Promise<Set<string>> {
  const uids = new Set<string>();
  let next = '';
  for (;;) {
    const what = `listing pods through ${api.server.origin}`;
    const { status, text } = await kubeCall(
      api,
      'GET',
      `api/v1/pods?limit=${LIST_PAGE}${next ? `&continue=${encodeURIComponent(next)}` : ''}`,
      what,
    );
    if (status !== 200) {
      const hint = status === 401 || status === 403 ? '; the token needs RBAC list on pods (the system:kube-scheduler role has it)' : '';
      throw new AnvilError('ANVIL_ERR_KUBE_API', `${what}: the API answered ${status}: ${statusMessage(text)}${hint}`);
    }
    let list: { items?: { metadata?: { uid?: unknown } }[]; metadata?: { continue?: unknown } };
    try {
      list = JSON.parse(text) as typeof list;
    } catch {
      throw new AnvilError('ANVIL_ERR_KUBE_API', `${what}: the answer is not JSON`);
    }
    if (!Array.isArray(list.items)) throw new AnvilError('ANVIL_ERR_KUBE_API', `${what}: the answer is not a PodList (no items)`);
    for (const pod of list.items) if (typeof pod.metadata?.uid === 'string') uids.add(pod.metadata.uid);
    next = typeof list.metadata?.continue === 'string' ? list.metadata.continue : '';
    if (!next) return uids;
  }
}
