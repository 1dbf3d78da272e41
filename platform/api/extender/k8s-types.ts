/**
 * Kubernetes' scheduler-extender JSON (k8s.io/kube-scheduler/extender/v1, types.go). The Go structs have no
 * json tags, so the wire names are the Go field names: ExtenderArgs {Pod, Nodes, NodeNames},
 * ExtenderFilterResult {Nodes, NodeNames, FailedNodes, FailedAndUnresolvableNodes, Error},
 * HostPriority {Host, Score} (a HostPriorityList is an array of them; MaxExtenderPriority = 10),
 * ExtenderBindingArgs {PodName, PodNamespace, PodUID, Node}, ExtenderBindingResult {Error}. Pod and
 * NodeList are core/v1 objects (json-tagged: metadata, spec, items). Checked against
 * staging/src/k8s.io/kube-scheduler/extender/v1/types.go of kubernetes/kubernetes (read 2026-11): Go's
 * decoder would match names case-insensitively, but kube-scheduler encodes these exact names, and nil
 * pointers (Nodes when nodeCacheCapable, NodeNames otherwise) as null.
 */
import { Type, type Static } from '@sinclair/typebox';

/** MinExtenderPriority and MaxExtenderPriority in extender/v1. */
export const MIN_EXTENDER_PRIORITY = 0;
export const MAX_EXTENDER_PRIORITY = 10;

export const K8sPod = Type.Object(
  {
    metadata: Type.Object(
      { name: Type.String({ minLength: 1 }), namespace: Type.Optional(Type.String()), uid: Type.Optional(Type.String()) },
      { additionalProperties: true },
    ),
    spec: Type.Object({}, { additionalProperties: true }),
  },
  { additionalProperties: true },
);
export const K8sNode = Type.Object(
  { metadata: Type.Object({ name: Type.String({ minLength: 1 }) }, { additionalProperties: true }) },
  { additionalProperties: true },
);
export const K8sNodeList = Type.Object({ items: Type.Union([Type.Array(K8sNode), Type.Null()]) }, { additionalProperties: true });

export const ExtenderArgs = Type.Object(
  {
    Pod: K8sPod,
    Nodes: Type.Optional(Type.Union([K8sNodeList, Type.Null()])),
    NodeNames: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
  },
  { additionalProperties: false },
);
export type ExtenderArgs = Static<typeof ExtenderArgs>;

const FailedNodesMap = Type.Record(Type.String(), Type.String());
export const ExtenderFilterResult = Type.Object({
  Nodes: Type.Union([K8sNodeList, Type.Null()]),
  NodeNames: Type.Union([Type.Array(Type.String()), Type.Null()]),
  FailedNodes: FailedNodesMap,
  FailedAndUnresolvableNodes: FailedNodesMap,
  Error: Type.String(),
});
export type ExtenderFilterResult = Static<typeof ExtenderFilterResult>;

export const HostPriorityList = Type.Array(
  Type.Object({ Host: Type.String(), Score: Type.Integer({ minimum: MIN_EXTENDER_PRIORITY, maximum: MAX_EXTENDER_PRIORITY }) }),
);
export type HostPriorityList = Static<typeof HostPriorityList>;

export const ExtenderBindingArgs = Type.Object(
  { PodName: Type.String({ minLength: 1 }), PodNamespace: Type.String(), PodUID: Type.String(), Node: Type.String({ minLength: 1 }) },
  { additionalProperties: false },
);
export type ExtenderBindingArgs = Static<typeof ExtenderBindingArgs>;
export const ExtenderBindingResult = Type.Object({ Error: Type.String() });
