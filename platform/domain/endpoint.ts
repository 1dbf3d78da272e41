/**
 * Persistent endpoints: a named pod interface made ahead of its pod (`anvil endpoint create`), with an IP
 * from its network's range and a MAC fixed at creation. A pod asks for it by name; the VF and node are
 * filled in when the pod lands. It outlives its pods: deleting the pod frees it for the next one.
 */

export type EndpointBinding = { readonly state: 'free' } | { readonly state: 'bound'; readonly pod: string };

export interface Endpoint {
  readonly kind: 'Endpoint';
  readonly namespace: string;
  readonly name: string;
  readonly network: string;
  readonly ip: string;
  readonly mac: string;
  readonly binding: EndpointBinding;
  readonly created_at: string;
}
