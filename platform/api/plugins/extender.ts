/**
 * The Kubernetes scheduler extender (urlPrefix /scheduler): filter, prioritize, bind with extender/v1 JSON.
 * kube-scheduler sends no bearer token, so who may call is decided by the connection: loopback callers
 * only (anvil serve beside kube-scheduler), or, with `anvil serve --tls-client-ca`, callers from anywhere
 * whose client certificate that CA signed (kube-scheduler's extender tlsConfig certFile/keyFile) and no
 * one else. Failures of the pod itself go in the `Error` field with HTTP 200, as kube-scheduler expects;
 * a malformed body (a null Pod included) is a coded 400, which kube-scheduler reports as a failed call.
 * Bind places the pod in Anvil and, with a Kubernetes API configured, binds it there too (kube-binder.ts).
 */
import type { TLSSocket } from 'node:tls';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import { AnvilError, isAnvilError } from '../../errors.js';
import { keyOf } from '../../domain/volume.js';
import { anvilPodInput, KUBE_SCHEDULER, unknownNodeReason } from '../extender/assess.js';
import { AnswerBuffers, filterAnswer, prioritizeAnswer } from '../extender/answer-bytes.js';
import { ExtenderAssessments } from '../extender/assessments.js';
import { ExtenderArgsReader, textParserOf } from '../extender/args-reader.js';
import {
  ExtenderArgs,
  ExtenderBindingArgs,
  ExtenderBindingResult,
  ExtenderFilterResult,
  HostPriorityList,
  type ExtenderFilterResult as FilterResult,
} from '../extender/k8s-types.js';
import { responses } from '../schemas.js';
import type { Api } from '../api.js';
import type { ExtenderCallers } from '../tls.js';
import { bindInKubernetes, type KubeApi } from '../extender/kube-binder.js';
import { isLoopbackAddress } from '../loopback.js';

/** The answers written as bytes (answer-bytes.ts) go out as the schema's serializer would send them. */
const JSON_TYPE = 'application/json; charset=utf-8';
/** Pods seen by filter/prioritize, by UID, for bind (which names the pod only); bounded. */
const REMEMBERED_PODS = 10_000;
/**
 * The most a filter or prioritize body may hold, bytes. Without nodeCacheCapable kube-scheduler sends every
 * candidate's whole Node object (a few KB to tens of KB each, its images listed), past the server's 1 MiB
 * from a few hundred nodes on; 64 MiB holds about 5,000 of 13 KB (2,200 of 30 KB).
 */
export const EXTENDER_BODY_LIMIT = 64 * 2 ** 20;
/** What a caller whose body is over EXTENDER_BODY_LIMIT is told to do. */
const TOO_LARGE_HINT =
  "kube-scheduler sends each candidate's whole Node object unless the extender is nodeCacheCapable: set nodeCacheCapable: true in its extenders stanza, and it sends node names";

function requireCaller(req: FastifyRequest, callers: ExtenderCallers): void {
  const from = req.socket.remoteAddress ?? '';
  if (callers.state === 'loopback') {
    if (!isLoopbackAddress(from)) {
      throw new AnvilError(
        'ANVIL_ERR_NOT_LOOPBACK',
        `the scheduler extender answers loopback callers only (this call came from ${from}); run anvil serve on kube-scheduler's host, or serve it with mutual TLS (anvil serve --tls-cert --tls-key --tls-client-ca)`,
      );
    }
    return;
  }
  // Set by Node's TLS layer when the client's certificate chains to --tls-client-ca; a plain or injected socket has neither.
  const socket = req.socket as Partial<TLSSocket>;
  if (socket.authorized === true) return;
  const why =
    socket.getPeerCertificate?.()?.subject === undefined
      ? 'it presented no client certificate'
      : `its client certificate is not accepted (${String(socket.authorizationError ?? 'unverified')})`;
  throw new AnvilError(
    'ANVIL_ERR_CLIENT_CERT_REQUIRED',
    `the scheduler extender answers only callers with a client certificate signed by ${callers.ca_subjects.join(' or ')} (this call from ${from}: ${why}); ` +
      "in kube-scheduler's extenders stanza set enableHTTPS: true and tlsConfig: {certFile, keyFile} (a client certificate and key signed by that CA) and caFile (the CA of anvil serve's --tls-cert)",
  );
}

function candidateNames(args: ExtenderArgs): string[] {
  if (args.NodeNames) return args.NodeNames;
  return (args.Nodes?.items ?? []).map((n) => n.metadata.name);
}

/**
 * `kube`: the Kubernetes API bind posts a Binding to after placing the pod in Anvil (with bindVerb,
 * kube-scheduler leaves binding to the extender); without it bind records the placement in Anvil only.
 */
export const extenderPlugin: FastifyPluginAsync<{ api: Api; callers: ExtenderCallers; kube?: KubeApi | undefined }> = async (
  app,
  { api, callers, kube },
) => {
  // Kept as JSON text: 10,000 pods' object graphs were old-generation objects every full collection marks.
  const seen = new Map<string, string>();
  /** Remembers the pod of `args` for bind; returns its JSON text. */
  const remember = (args: ExtenderArgs): string => {
    const p = args.Pod.metadata;
    const id = p.uid || `${p.namespace || 'default'}/${p.name}`;
    const text = JSON.stringify(args.Pod);
    seen.delete(id);
    seen.set(id, text);
    if (seen.size > REMEMBERED_PODS) seen.delete(seen.keys().next().value!);
    return text;
  };
  const viewsBuilt = new Counter({
    name: 'anvil_extender_views_built_total',
    help: 'Scheduling views the extender built from the state, for filter, prioritize and bind (once per state: a bind uses the current one and hands it over changed, any other change makes the next call build one)',
    registers: [api.metrics],
  });
  const assessments = new ExtenderAssessments(api.store, () => viewsBuilt.inc());
  const answerBuffers = new AnswerBuffers();
  /** `answer` as the reply, its buffer given back once the kernel has it all. */
  const sendBytes = (reply: FastifyReply, answer: Buffer): Buffer => {
    reply.raw.once('finish', () => answerBuffers.give(answer));
    void reply.type(JSON_TYPE);
    return answer;
  };
  const s = { tags: ['scheduler extender'] };
  // A callback hook, as the server's own: no promise per request.
  app.addHook('onRequest', (req, _reply, done) => {
    try {
      requireCaller(req, callers);
    } catch (e) {
      return done(e as Error);
    }
    done();
  });
  // Fastify's own JSON parser, for all but a candidate list equal to the last one (args-reader.ts).
  const argsReader = new ExtenderArgsReader(textParserOf(app.getDefaultJsonParser('error', 'error')));
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    let value: unknown;
    try {
      value = argsReader.read(body as Buffer);
    } catch (e) {
      done(e as Error, undefined);
      return;
    }
    done(null, value);
  });

  app.post<{ Body: ExtenderArgs }>(
    '/filter',
    {
      config: { public: true, bodyTooLarge: TOO_LARGE_HINT },
      bodyLimit: EXTENDER_BODY_LIMIT,
      schema: {
        ...s,
        operationId: 'extenderFilter',
        summary: 'ExtenderArgs -> ExtenderFilterResult',
        description:
          "kube-scheduler's filter verb: the candidate nodes the pod fits on in Anvil, and each other node's reason; a failure of the pod itself is in Error (HTTP 200).",
        body: ExtenderArgs,
        response: responses(ExtenderFilterResult),
      },
    },
    async (req, reply) => {
      const args = req.body;
      const podText = remember(args);
      const names = candidateNames(args);
      if (args.NodeNames && !args.Nodes) {
        // kube-scheduler with nodeCacheCapable: the answer written as bytes (answer-bytes.ts).
        try {
          return sendBytes(
            reply,
            assessments.with(args.Pod, podText, (a) => filterAnswer(a, names, answerBuffers)),
          );
        } catch (e) {
          if (!isAnvilError(e)) throw e;
          return { Nodes: null, NodeNames: null, FailedNodes: {}, FailedAndUnresolvableNodes: {}, Error: e.format() };
        }
      }
      const result: FilterResult = { Nodes: null, NodeNames: null, FailedNodes: {}, FailedAndUnresolvableNodes: {}, Error: '' };
      try {
        const passing = assessments.with(args.Pod, podText, (a) => {
          const fit: string[] = [];
          for (const name of names) {
            const i = a.indexOf(name);
            if (i === undefined) result.FailedAndUnresolvableNodes[name] = unknownNodeReason(name);
            else if (a.fits(i)) fit.push(name);
            else result.FailedNodes[name] = a.reason(i);
          }
          return fit;
        });
        // Answer in the form asked: node names (nodeCacheCapable) and/or full Node objects.
        if (args.NodeNames) result.NodeNames = passing;
        if (args.Nodes) {
          const pass = new Set(passing);
          result.Nodes = { ...args.Nodes, items: (args.Nodes.items ?? []).filter((n) => pass.has(n.metadata.name)) };
        }
      } catch (e) {
        if (!isAnvilError(e)) throw e;
        result.Error = e.format();
      }
      return result;
    },
  );

  app.post<{ Body: ExtenderArgs }>(
    '/prioritize',
    {
      config: { public: true, bodyTooLarge: TOO_LARGE_HINT },
      bodyLimit: EXTENDER_BODY_LIMIT,
      schema: {
        ...s,
        operationId: 'extenderPrioritize',
        summary: 'ExtenderArgs -> HostPriorityList (scores 0..10)',
        description:
          "kube-scheduler's prioritize verb: Anvil's score for each candidate node, scaled to 0..10; a pod Anvil cannot read scores 0 everywhere.",
        body: ExtenderArgs,
        response: responses(HostPriorityList),
      },
    },
    async (req, reply) => {
      const args = req.body;
      const podText = remember(args);
      const names = candidateNames(args);
      try {
        return sendBytes(
          reply,
          assessments.with(args.Pod, podText, (a) => prioritizeAnswer(a, names, answerBuffers)),
        );
      } catch (e) {
        // Prioritize has no Error field: a pod Anvil cannot read gets no preference.
        if (!isAnvilError(e)) throw e;
        return names.map((Host) => ({ Host, Score: 0 }));
      }
    },
  );

  app.post<{ Body: ExtenderBindingArgs }>(
    '/bind',
    {
      config: { public: true },
      schema: {
        ...s,
        operationId: 'extenderBind',
        summary: 'ExtenderBindingArgs -> ExtenderBindingResult',
        description: `kube-scheduler's bind verb: places the pod on Node in Anvil${kube ? ', then binds it in Kubernetes' : ' (no Kubernetes API configured: Anvil only)'}; a failure is in Error (HTTP 200).`,
        body: ExtenderBindingArgs,
        response: responses(ExtenderBindingResult),
      },
    },
    async (req) => {
      const b = req.body;
      const ns = b.PodNamespace || 'default';
      const podText = seen.get(b.PodUID) ?? seen.get(`${ns}/${b.PodName}`);
      // Text Fastify's parser read (no prototype keys) and JSON.stringify wrote: parsed as is.
      const k8sPod: unknown = podText === undefined ? undefined : JSON.parse(podText);
      let placed = false;
      try {
        // Committed without waiting for its fsync on the event loop: the answer waits for it (durable-answers.ts).
        const bound = api.store.changeHeld(KUBE_SCHEDULER, 'bind pods', `pods/${ns}/${b.PodName}`, (cp) => {
          const existing = cp.state.pods.get(keyOf(ns, b.PodName));
          // A retried bind (kube-scheduler retries after an error) finds the pod already placed there.
          if (existing?.status.state === 'running' && existing.status.node === b.Node) return undefined;
          // The view filter and prioritize used (the state's own): placing the pod changes it, not a new one.
          cp.ctx.useScheduling(assessments.sessionFor(cp.state));
          if (existing) {
            // A pod the extender placed is stale when Kubernetes binds this name again: the same pod (same UID)
            // means the earlier placement never reached Kubernetes, which binds a pod once; another UID means
            // the earlier pod is gone, as Kubernetes holds one pod of a name at a time. Replace it in this change.
            if (b.PodUID !== '' && existing.kube_uid !== undefined) cp.deletePod(ns, b.PodName);
            else
              throw new AnvilError(
                'ANVIL_ERR_OBJECT_EXISTS',
                `pod ${ns}/${b.PodName} is already in Anvil (${existing.status.state}${existing.status.state === 'running' ? ` on ${existing.status.node}` : ''}); delete it first`,
              );
          }
          if (k8sPod === undefined)
            throw new AnvilError(
              'ANVIL_ERR_OBJECT_NOT_FOUND',
              `pod ${ns}/${b.PodName} (uid ${b.PodUID}) was not seen by filter or prioritize; enable filterVerb for this extender`,
            );
          const input = anvilPodInput(cp, k8sPod);
          const placed = cp.createPod({
            ...input,
            node_selector: { ...input.node_selector, 'kubernetes.io/hostname': b.Node },
            ...(b.PodUID ? { kube_uid: b.PodUID } : {}),
          });
          // A bind that does not land on Node changes nothing.
          if (placed.status.state !== 'running')
            throw new AnvilError(
              'ANVIL_ERR_NO_CAPACITY',
              `pod ${ns}/${b.PodName} does not fit on ${b.Node}: ${placed.status.failure.summary}`,
            );
          // The view the pod was placed with is the new state's: the next pod's filter starts from it.
          return { state: cp.state, session: cp.scheduling() };
        });
        if (bound) assessments.adopt(bound.state, bound.session);
        placed = true;
        if (kube) {
          // Kubernetes is told only of a placement on disk.
          await api.store.whenDurable();
          await bindInKubernetes(kube, ns, b.PodName, b.PodUID, b.Node);
        }
        return { Error: '' };
      } catch (e) {
        if (!isAnvilError(e)) throw e;
        // Kubernetes refused: undo the placement so Anvil holds no pod Kubernetes did not bind (kube-scheduler
        // will schedule the pod again, perhaps elsewhere).
        if (placed) {
          api.store.changeHeld(KUBE_SCHEDULER, 'unbind pods', `pods/${ns}/${b.PodName}`, (cp) => {
            if (cp.state.pods.has(keyOf(ns, b.PodName))) cp.deletePod(ns, b.PodName);
          });
        }
        return { Error: e.format() };
      }
    },
  );
};
