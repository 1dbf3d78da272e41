import { describe, expect, it } from 'vitest';
import { AnvilError } from '../../platform/errors.js';
import { parseScenario } from '../../reports/tco/scenario.js';
import { reference } from './fixtures.js';

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
    expect(s.stacks.map((x) => `${x.kind}/${x.database}`)).toEqual(['appliance/open-source', 'diy-db-outside/commercial', 'diy-db-outside/open-source', 'diy-sds/open-source']);
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
    const bad = MINIMAL.replace('iops: 10000', 'iops: -5').replace('kind: diy-db-outside', 'kind: diy-k8s').replace('name: small', 'name: small\nhorizon_year: 3');
    let e: AnvilError | undefined;
    try {
      parseScenario(bad, 'bad.yaml');
    } catch (x) {
      e = x as AnvilError;
    }
    expect(e?.code).toBe('ANVIL_ERR_TCO_SCENARIO');
    const d = e!.details.join('\n');
    expect(d).toContain('bad.yaml: /databases/0/iops');
    expect(d).toContain('bad.yaml: /stacks/1/kind');
    expect(d).toContain('appliance: the database containerized'); // the help text says what is allowed
    expect(d).toContain('bad.yaml: /horizon_year');
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
    expect(problems(MINIMAL.replace('id: b', 'id: a'), 'd.yaml')).toContain('d.yaml: /stacks/1/id: "a" is used by an earlier stack');
    expect(problems(MINIMAL.replace('kind: appliance', 'kind: diy-sds'), 'n.yaml')).toContain('n.yaml: /stacks: no stack has kind appliance');
  });
});
