/**
 * The fields of the kinds kubectl writes, for `fieldValidation=Strict` (kubectl's default since 1.25): an
 * unknown field is refused with its path, as the apiserver's strict decoding does
 * (`strict decoding error: unknown field "spec.foo"`). Deep structures Anvil does not read (probes,
 * affinity, security contexts, volume sources, selectors) are taken whole: only their parents are checked.
 */

/** `ANY`: anything below; an object: these keys; a one-item array: a list of that shape. */
type Shape = typeof ANY | { readonly [field: string]: Shape } | readonly [Shape];
const ANY = 'any' as const;

const names = (fields: string): Record<string, typeof ANY> => Object.fromEntries(fields.split(/\s+/).map((f) => [f, ANY]));

const META: Shape = names(
  'annotations creationTimestamp deletionGracePeriodSeconds deletionTimestamp finalizers generateName generation labels managedFields name namespace ownerReferences resourceVersion selfLink uid',
);

const CONTAINER: Shape = {
  ...names(
    'args command envFrom image imagePullPolicy lifecycle livenessProbe name readinessProbe resizePolicy restartPolicy securityContext startupProbe stdin stdinOnce terminationMessagePath terminationMessagePolicy tty volumeDevices workingDir',
  ),
  env: [names('name value valueFrom')],
  ports: [names('containerPort hostIP hostPort name protocol')],
  volumeMounts: [names('mountPath mountPropagation name readOnly recursiveReadOnly subPath subPathExpr')],
  resources: names('claims limits requests'),
};

const POD_SPEC: Shape = {
  ...names(
    'activeDeadlineSeconds affinity automountServiceAccountToken dnsConfig dnsPolicy enableServiceLinks hostAliases hostIPC hostNetwork hostPID hostUsers hostname imagePullSecrets nodeName nodeSelector os overhead preemptionPolicy priority priorityClassName readinessGates resourceClaims resources restartPolicy runtimeClassName schedulerName schedulingGates securityContext serviceAccount serviceAccountName setHostnameAsFQDN shareProcessNamespace subdomain terminationGracePeriodSeconds tolerations topologySpreadConstraints volumes',
  ),
  containers: [CONTAINER],
  initContainers: [CONTAINER],
  ephemeralContainers: [CONTAINER],
};

const CLAIM_SPEC: Shape = {
  ...names('accessModes dataSource dataSourceRef selector storageClassName volumeAttributesClassName volumeMode volumeName'),
  resources: names('limits requests'),
};

const TEMPLATE: Shape = { metadata: META, spec: POD_SPEC };
const top = (spec: Shape): Shape => ({ apiVersion: ANY, kind: ANY, metadata: META, spec, status: ANY });

/** The shape of each kind the facade writes. */
export const KIND_SHAPES: Readonly<Record<string, Shape>> = {
  Namespace: top(names('finalizers')),
  Pod: top(POD_SPEC),
  PersistentVolumeClaim: top(CLAIM_SPEC),
  Deployment: top({
    ...names('minReadySeconds paused progressDeadlineSeconds replicas revisionHistoryLimit selector strategy'),
    template: TEMPLATE,
  }),
  StatefulSet: top({
    ...names(
      'minReadySeconds ordinals persistentVolumeClaimRetentionPolicy podManagementPolicy replicas revisionHistoryLimit selector serviceName updateStrategy',
    ),
    template: TEMPLATE,
    volumeClaimTemplates: [{ apiVersion: ANY, kind: ANY, metadata: META, spec: CLAIM_SPEC, status: ANY }],
  }),
};

/** The paths of the fields of `body` its kind does not have (`spec.template.spec.containers[0].foo`). */
export function unknownFields(kind: string, body: unknown): string[] {
  const shape = KIND_SHAPES[kind];
  const found: string[] = [];
  if (shape !== undefined) walk(shape, body, '', found);
  return found;
}

function walk(shape: Shape, value: unknown, path: string, found: string[]): void {
  if (shape === ANY || value === null || typeof value !== 'object') return;
  if (Array.isArray(shape)) {
    if (Array.isArray(value)) value.forEach((item, i) => walk(shape[0] as Shape, item, `${path}[${i}]`, found));
    return;
  }
  if (Array.isArray(value)) return;
  const fields = shape as { readonly [field: string]: Shape };
  for (const [key, v] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    const sub = fields[key];
    if (sub === undefined) found.push(at);
    else walk(sub, v, at, found);
  }
}
