import { describe, expect, it } from 'vitest';
import { AnvilError } from '../../platform/errors.js';
import { applyOverrides } from '../../reports/tco/catalogue.js';
import { parseScenario, scenarioWhere } from '../../reports/tco/scenario.js';
import { catalogue, reference } from './fixtures.js';

const MINIMAL = `
name: small
databases:
  - { name: db, cores: 4, memory_gib: 32, size_tb: 1, iops: 10000 }
stacks:
  - { id: a, label: A, kind: appliance, database: open-source }
  - { id: b, label: B, kind: diy-db-outside, database: commercial }
`;

describe('TCO scenario', () => {
  it('the reference scenario compares the four stacks of the issue over three years', () => {
    const s = reference();
    expect(s.horizon_years).toBe(3);
    expect(s.stacks.map((x) => `${x.kind}/${x.database}`)).toEqual([
      'appliance/open-source',
      'diy-db-outside/commercial',
      'diy-db-outside/open-source',
      'diy-sds/open-source',
    ]);
  });

  it('fills defaults from the schema', () => {
    const s = parseScenario(MINIMAL, 'small.yaml');
    expect(s.horizon_years).toBe(3);
    expect(s.discount_rate).toBe(0.1);
    expect(s.node.drive_profile).toBe('intel-p4510-4tb');
    expect(s.databases[0]!.instances).toBe(2);
    expect(s.databases[0]!.latency_sla_p99_us).toBe(1000);
    expect(s.overrides).toEqual({});
  });

  it('reports every problem at once, each with its path and what is allowed', () => {
    const bad = MINIMAL.replace('iops: 10000', 'iops: -5')
      .replace('kind: diy-db-outside', 'kind: diy-k8s')
      .replace('name: small', 'name: small\nhorizon_year: 3');
    let e: AnvilError | undefined;
    try {
      parseScenario(bad, 'bad.yaml');
    } catch (x) {
      e = x as AnvilError;
    }
    expect(e?.code).toBe('ANVIL_ERR_TCO_SCENARIO');
    const d = e!.details.join('\n');
    expect(d).toContain('bad.yaml:5: /databases/0/iops');
    expect(d).toContain('bad.yaml:8: /stacks/1/kind');
    expect(d).toContain('appliance: the database containerized'); // the help text says what is allowed
    expect(d).toMatch(
      /bad\.yaml:3: \/horizon_year: not a known field, allowed: kind\|name\|description\|report\|currency\|horizon_years\|/,
    );
  });

  it('each problem once, as FILE:LINE: /path: message, allowed: ...; unions of literals list them', () => {
    const text = `name: small
horizon_years: many
databases:
  - name: db
    cores: 4
    memory_gib: 32
    size_tb: 1
    iops: 10000
stacks:
  - id: a
    kind: appliance
    database: open-source
  - id: b
    label: B
    kind: diy-k8s
    database: commercial
overrides:
  nvme_usd_per_tb: cheap
`;
    let e: AnvilError | undefined;
    try {
      parseScenario(text, 'bad.yaml');
    } catch (x) {
      e = x as AnvilError;
    }
    expect(e?.code).toBe('ANVIL_ERR_TCO_SCENARIO');
    const lines = text.split('\n');
    const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    const d = e!.details;
    expect(d).toContain(`bad.yaml:${lineOf('horizon_years')}: /horizon_years: Expected integer (years the comparison covers)`);
    expect(d.find((p) => p.includes('/stacks/1/kind'))).toMatch(
      new RegExp(
        `^bad\\.yaml:${lineOf('diy-k8s')}: /stacks/1/kind: "diy-k8s" is not allowed, allowed: appliance\\|diy-db-outside\\|diy-sds \\(`,
      ),
    );
    expect(d).toContain(
      `bad.yaml:${lineOf('nvme_usd_per_tb')}: /overrides/nvme_usd_per_tb: "cheap" is not allowed, allowed: a number, or a mapping {value: number, range: [low, high], source: text, year: integer}`,
    );
    // A missing field points at its parent's line, once (typebox reports it as missing and as not a string).
    const label = d.filter((p) => p.includes('/stacks/0/label'));
    expect(label).toEqual([`bad.yaml:${lineOf('id: a')}: /stacks/0/label: Expected required property (name shown in the report)`]);
    const paths = d.map((p) => p.split(': ')[1]);
    expect(new Set(paths).size).toBe(paths.length);
    expect(d.length).toBe(4);
  });

  it("an override outside its figure's domain is reported at its line in the scenario", () => {
    const text = `${MINIMAL}overrides:\n  pue: 1.2\n  nvme_usd_per_tb: -100\n`;
    const s = parseScenario(text, 'o.yaml');
    let e: AnvilError | undefined;
    try {
      applyOverrides(catalogue(), s.overrides, 'o.yaml', (path) => scenarioWhere(s, path, 'o.yaml'));
    } catch (x) {
      e = x as AnvilError;
    }
    const line = text.split('\n').findIndex((l) => l.includes('nvme_usd_per_tb')) + 1;
    expect(e?.code).toBe('ANVIL_ERR_TCO_SCENARIO');
    expect(e!.details).toEqual([
      `o.yaml:${line}: /overrides/nvme_usd_per_tb: -100 is not a possible nvme_usd_per_tb (USD/TB), allowed: a number from 0 to 1e12`,
    ]);
  });

  it('stack ids are unique and an appliance stack is required', () => {
    const problems = (text: string, file: string) => {
      try {
        parseScenario(text, file);
      } catch (x) {
        return (x as AnvilError).details.join('\n');
      }
      throw new Error('expected the scenario to be rejected');
    };
    expect(problems(MINIMAL.replace('id: b', 'id: a'), 'd.yaml')).toContain('d.yaml:7: /stacks/1/id: "a" is used by an earlier stack');
    expect(problems(MINIMAL.replace('kind: appliance', 'kind: diy-sds'), 'n.yaml')).toContain(
      'n.yaml:6: /stacks: no stack has kind appliance',
    );
  });
});
