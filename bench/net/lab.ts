/**
 * A throwaway L2 network of network namespaces, the host analog of containers with their own MAC and
 * IP on a plain L2 network: two endpoints joined by a veth pair, or several on a bridge (in a namespace
 * of its own, so the host's network is never touched). Optionally each endpoint's egress is limited
 * with tc tbf or htb (the analog of an SR-IOV VF's max rate). `destroy` removes everything `create` made, and
 * is safe to call after a partial `create`.
 */
import { randomBytes } from 'node:crypto';
import { AnvilError } from '../../platform/errors.js';
import { runBounded } from '../targets/host/bounded-process.js';

export interface Endpoint {
  readonly index: number;
  /** Network namespace name. */
  readonly namespace: string;
  /** Interface inside the namespace. */
  readonly device: string;
  readonly mac: string;
  /** IPv4 address without prefix. */
  readonly ip: string;
}

export interface LabOptions {
  readonly endpoints: number;
  /** Egress limit per endpoint, bits per second. */
  readonly rate_bps?: number;
  /** The qdisc that applies the limit (tbf by default). */
  readonly qdisc?: 'tbf' | 'htb';
}

const SUBNET = '10.213.0';
const STEP_TIMEOUT_MS = 10_000;

/** Runs an ip/tc command; ANVIL_ERR_NET_SETUP with the tool's words when it fails. */
export async function netCommand(args: readonly string[]): Promise<string> {
  const [command, ...rest] = args;
  const r = await runBounded(command!, rest, { timeout_ms: STEP_TIMEOUT_MS, label: command! }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT')
      throw new AnvilError('ANVIL_ERR_HOST_TOOL_MISSING', `${command} is not installed; install it with \`apt-get install iproute2\``);
    throw e;
  });
  if (r.code !== 0) throw new AnvilError('ANVIL_ERR_NET_SETUP', `\`${args.join(' ')}\` failed: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout;
}

/**
 * tbf's bucket: at least 64 KiB (a GSO segment) and 10 ms at the rate, so that a sender delayed by a
 * busy CPU for a few milliseconds does not lose its tokens: the limit, not the bucket, decides the rate.
 */
export function tbfBurst_bytes(rate_bps: number): number {
  return Math.max(65536, Math.ceil((rate_bps / 8) * 0.01));
}

/** htb's quantum for the one class: a GSO segment (set, so htb does not warn about the rate / r2q default). */
const HTB_QUANTUM_BYTES = 65536;

export class NetLab {
  readonly id: string;
  readonly endpoints: Endpoint[] = [];
  /** Namespaces created so far, in creation order (what destroy removes). */
  private readonly created: string[] = [];
  readonly bridgeNamespace: string | undefined;

  constructor(private readonly options: LabOptions) {
    this.id = randomBytes(3).toString('hex');
    this.bridgeNamespace = options.endpoints > 2 ? `anvil-${this.id}-br` : undefined;
    for (let i = 0; i < options.endpoints; i++) {
      this.endpoints.push({
        index: i,
        namespace: `anvil-${this.id}-e${i}`,
        device: 'eth0',
        // Locally administered unicast (02:...), the run's id and the endpoint's number.
        mac: `02:a5:${this.id.slice(0, 2)}:${this.id.slice(2, 4)}:${this.id.slice(4, 6)}:${i.toString(16).padStart(2, '0')}`,
        ip: `${SUBNET}.${i + 1}`,
      });
    }
  }

  /** Every namespace this lab uses (created or still to be). */
  get namespaces(): string[] {
    return [...(this.bridgeNamespace ? [this.bridgeNamespace] : []), ...this.endpoints.map((e) => e.namespace)];
  }

  async create(): Promise<void> {
    for (const ns of this.namespaces) {
      await netCommand(['ip', 'netns', 'add', ns]);
      this.created.push(ns);
      await netCommand(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    }
    const [a, b] = this.endpoints;
    if (!this.bridgeNamespace) {
      await netCommand([
        'ip',
        'link',
        'add',
        a!.device,
        'netns',
        a!.namespace,
        'type',
        'veth',
        'peer',
        'name',
        b!.device,
        'netns',
        b!.namespace,
      ]);
    } else {
      const br = this.bridgeNamespace;
      await netCommand(['ip', '-n', br, 'link', 'add', 'br0', 'type', 'bridge']);
      await netCommand(['ip', '-n', br, 'link', 'set', 'br0', 'up']);
      for (const e of this.endpoints) {
        const port = `p${e.index}`;
        await netCommand(['ip', 'link', 'add', e.device, 'netns', e.namespace, 'type', 'veth', 'peer', 'name', port, 'netns', br]);
        await netCommand(['ip', '-n', br, 'link', 'set', port, 'master', 'br0']);
        await netCommand(['ip', '-n', br, 'link', 'set', port, 'up']);
      }
    }
    for (const e of this.endpoints) {
      await netCommand(['ip', '-n', e.namespace, 'link', 'set', e.device, 'address', e.mac]);
      await netCommand(['ip', '-n', e.namespace, 'addr', 'add', `${e.ip}/24`, 'dev', e.device]);
      await netCommand(['ip', '-n', e.namespace, 'link', 'set', e.device, 'up']);
      if (this.options.rate_bps !== undefined) {
        const rate = `${Math.round(this.options.rate_bps)}bit`;
        const burst = `${tbfBurst_bytes(this.options.rate_bps)}`;
        if (this.options.qdisc === 'htb') {
          // One class that all traffic falls into; rate = ceil, so it never borrows above the limit.
          await netCommand(['tc', '-n', e.namespace, 'qdisc', 'add', 'dev', e.device, 'root', 'handle', '1:', 'htb', 'default', '1']);
          await netCommand([
            'tc',
            '-n',
            e.namespace,
            'class',
            'add',
            'dev',
            e.device,
            'parent',
            '1:',
            'classid',
            '1:1',
            'htb',
            'rate',
            rate,
            'ceil',
            rate,
            'burst',
            burst,
            'cburst',
            burst,
            'quantum',
            `${HTB_QUANTUM_BYTES}`,
          ]);
        } else {
          await netCommand([
            'tc',
            '-n',
            e.namespace,
            'qdisc',
            'add',
            'dev',
            e.device,
            'root',
            'tbf',
            'rate',
            rate,
            'burst',
            burst,
            'latency',
            '50ms',
          ]);
        }
      }
    }
  }

  /** The command line that runs `args` inside an endpoint's namespace. */
  inside(e: Endpoint, args: readonly string[]): [string, string[]] {
    return ['ip', ['netns', 'exec', e.namespace, ...args]];
  }

  /** Removes every namespace created (their veths and bridge go with them). Never throws. */
  async destroy(): Promise<string[]> {
    const failures: string[] = [];
    for (const ns of [...this.created].reverse()) {
      try {
        await netCommand(['ip', 'netns', 'del', ns]);
      } catch (e) {
        failures.push(`${ns}: ${(e as Error).message}`);
      }
    }
    this.created.length = 0;
    return failures;
  }
}

/** Names of the network namespaces on this machine. */
export async function listNamespaces(): Promise<string[]> {
  const out = await netCommand(['ip', 'netns', 'list']);
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n !== '');
}
