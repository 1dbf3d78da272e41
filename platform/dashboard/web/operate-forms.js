// The Operate page's forms as data: each field's body name (what the API takes), the CLI flag the domain's
// messages name, its label and input. No DOM: the node tests send each form's bad values through the API
// and check the error lands on the field (field-errors.js).

const GIB = 2 ** 30;

/**
 * The forms, each with the role class it edits, whether it goes to a namespace, its route, its fields
 * (name, flag, names: the object it names, label, type: text | number | checkbox | select | textarea,
 * optional), and how a form's
 * values become the body (`body`) and the answer a line (`done`, as the CLI prints it).
 */
export const OPERATE_FORMS = [
  {
    id: 'network',
    title: 'Create a network',
    cls: 'network',
    namespaced: false,
    path: () => 'networks',
    fields: [
      { name: 'name', label: 'Name', type: 'text' },
      { name: 'subnet', flag: '--subnet', label: 'Subnet (CIDR, e.g. 192.168.30.0/24)', type: 'text' },
      { name: 'start', flag: '--start', label: 'First address of the pod range', type: 'text' },
      { name: 'end', flag: '--end', label: 'Last address of the pod range', type: 'text' },
      { name: 'gateway', flag: '--gateway', label: 'Gateway (outside the range)', type: 'text' },
      { name: 'vlan', flag: '--vlan', label: 'VLAN id (1-4094)', type: 'number', optional: true },
      { name: 'zone', flag: '--zone', label: 'Zone (only its nodes reach the network)', type: 'text', optional: true },
      { name: 'is_default', flag: '--set-default', label: 'Default network (pods naming none get an endpoint here)', type: 'checkbox' },
    ],
    done: (n) => `network ${n.name} created: ${n.subnet} range ${n.start}-${n.end}${n.is_default ? ' (default)' : ''}`,
  },
  {
    id: 'perftier',
    title: 'Create a perf tier',
    cls: 'perftier',
    namespaced: false,
    path: () => 'perf-tiers',
    fields: [
      { name: 'name', label: 'Name', type: 'text' },
      { name: 'storage_iops', flag: '--storage-iops', label: 'Guaranteed storage IOPS', type: 'number' },
      { name: 'network_bandwidth_bits_per_s', flag: '--network-bandwidth', label: 'Guaranteed bandwidth (bit/s)', type: 'number' },
      {
        name: 'max_storage_iops',
        flag: '--max-storage-iops',
        label: 'Maximum IOPS (enforced on the model only)',
        type: 'number',
        optional: true,
      },
      {
        name: 'max_network_bandwidth_bits_per_s',
        flag: '--max-network-bandwidth',
        label: 'Maximum bandwidth, bit/s (enforced on the model only)',
        type: 'number',
        optional: true,
      },
    ],
    done: (t) => `perf tier ${t.name} created: ${t.storage_iops} IOPS, ${t.network_bandwidth_bits_per_s} bit/s guaranteed`,
  },
  {
    id: 'volume',
    title: 'Create a volume',
    cls: 'volume',
    namespaced: true,
    path: (ns) => `namespaces/${encodeURIComponent(ns)}/volumes`,
    fields: [
      { name: 'name', label: 'Name', type: 'text' },
      // GiB on the page, bytes in the body: the API's errors speak of size_bytes (and the CLI's --size).
      { name: 'size_bytes', flag: '--size', label: 'Size (GiB)', type: 'number', scale: GIB },
      { name: 'mirrors', flag: '--mirrors', label: 'Mirrors (1-3, plexes on distinct nodes)', type: 'number', optional: true },
      { name: 'perf_tier', flag: '--perf-tier', names: 'perf tier', label: 'Perf tier', type: 'select', optional: true },
      { name: 'spread_zones', flag: '--spread-zones', label: 'Put each mirror in a different zone', type: 'checkbox' },
    ],
    done: (v) => `volume ${v.name} created: plexes on ${v.plexes.map((p) => p.node).join(', ')}`,
  },
  {
    id: 'apply',
    title: 'Apply manifests',
    cls: 'container',
    namespaced: true,
    path: (ns) => `namespaces/${encodeURIComponent(ns)}/apply`,
    fields: [
      {
        name: 'manifests',
        label: 'Kubernetes manifests (YAML: Namespace, PersistentVolumeClaim, Pod, Deployment, StatefulSet)',
        type: 'textarea',
      },
      {
        name: 'strict',
        flag: '--strict',
        label: 'Refuse the whole apply if a document is of a kind Anvil does not model',
        type: 'checkbox',
      },
    ],
    done: (answer) => [...answer.lines, ...answer.notes].join('\n'),
  },
];

/**
 * A form's body from its values (field name to the input's text, or a boolean for a checkbox): empty
 * fields are left out, numbers are sent as numbers (scaled: GiB to bytes) so the API judges
 * them, and text that is not a number is sent as it is, for the API to name.
 */
export function bodyOf(form, values) {
  const body = {};
  for (const field of form.fields) {
    const value = values[field.name];
    if (field.type === 'checkbox') {
      if (value) body[field.name] = true;
      continue;
    }
    const text = typeof value === 'string' ? value.trim() : '';
    // Left empty: not sent, so the API says a required field is missing ("must have required property").
    if (text === '') continue;
    if (field.type === 'number') {
      const n = Number(text);
      body[field.name] = text !== '' && Number.isFinite(n) ? (field.scale ? Math.round(n * field.scale) : n) : text;
    } else body[field.name] = field.type === 'textarea' ? value : text;
  }
  return body;
}

/**
 * The forms the caller may use, each with the namespaces it may use it in (/whoami's cluster_edits and
 * namespace_edits; `namespaces`: every namespace, for a cluster-wide editor). The page offers no other:
 * the server refuses anyway.
 */
export function formsFor(me, namespaces) {
  return OPERATE_FORMS.map((form) => {
    if (!form.namespaced) return me.cluster_edits.includes(form.cls) ? { form, namespaces: [] } : null;
    const own = Object.entries(me.namespace_edits)
      .filter(([, classes]) => classes.includes(form.cls))
      .map(([ns]) => ns);
    const all = me.cluster_edits.includes(form.cls) ? [...namespaces, ...own] : own;
    const unique = [...new Set(all)].sort();
    return unique.length ? { form, namespaces: unique } : null;
  }).filter((x) => x !== null);
}
