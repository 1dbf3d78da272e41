/**
 * The WAL-index header tells the store, without asking SQLite, that nothing was committed since it last
 * asked: every commit of another connection must change it (else the server would answer from a stale
 * state), whatever the WAL went through meanwhile (checkpoints, a WAL restarted from its start, truncated).
 * And the store built on it sees another connection's commit on its very next read, as SQLite's
 * data_version would tell it.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Store } from '../../platform/state/store.js';
import { WalIndexHeader } from '../../platform/state/wal-index-header.js';
import { tempDir } from '../cli-harness.js';
import { as, tickingClock } from './control-plane-harness.js';

describe('the WAL-index header', () => {
  it('changes with every commit of another connection, across checkpoints and WAL restarts', () => {
    const path = join(tempDir('anvil-wal-header-'), 'state.db');
    const store = Store.open(path, tickingClock());
    const other = new Database(path);
    other.pragma('journal_mode = WAL');
    other.exec('CREATE TABLE IF NOT EXISTS scratch (n INTEGER)');
    const header = WalIndexHeader.of(path)!;
    expect(header).toBeDefined();
    // Not remembered yet: nothing can be taken as unchanged.
    expect(header.unchanged()).toBe(false);
    header.remember();
    expect(header.unchanged()).toBe(true);
    const insert = other.prepare('INSERT INTO scratch VALUES (?)');
    for (let i = 0; i < 60; i++) {
      insert.run(i);
      expect(header.unchanged(), `commit ${i}`).toBe(false);
      header.remember();
      expect(header.unchanged()).toBe(true);
      // The WAL copied back into the file, in each of SQLite's modes; the next commit restarts the WAL.
      if (i % 10 === 9) other.pragma(`wal_checkpoint(${['PASSIVE', 'FULL', 'RESTART', 'TRUNCATE'][((i / 10) % 4) | 0]})`);
      header.remember();
    }
    // Reads change nothing.
    expect(other.prepare('SELECT count(*) AS n FROM scratch').get()).toEqual({ n: 60 });
    expect(header.unchanged()).toBe(true);
    header.close();
    expect(header.unchanged()).toBe(false);
    other.close();
    store.close();
  });

  it('is not there for a state in memory: the store asks SQLite every time', () => {
    expect(WalIndexHeader.of(':memory:')).toBeUndefined();
  });

  it("lets the store see another connection's commit on its very next read", () => {
    const path = join(tempDir('anvil-wal-header-'), 'state.db');
    const server = Store.open(path, tickingClock());
    const cli = Store.open(path, tickingClock());
    as(server, (cp) => cp.createCluster({ name: 'c', nodes: 2 }));
    const tenants = () => server.read((s) => [...s.tenants.keys()]);
    for (const name of ['a', 'b', 'c', 'd']) {
      const before = tenants();
      // Read again with nothing committed: the same state, held, and SQLite not asked.
      const asked = server.dataVersionQueries;
      expect(tenants()).toEqual(before);
      expect(tenants()).toEqual(before);
      expect(server.dataVersionQueries).toBe(asked);
      as(cli, (cp) => cp.createTenant(name));
      expect(tenants()).toEqual([...before, name].sort());
      expect(server.dataVersionQueries).toBeGreaterThan(asked);
    }
    cli.close();
    server.close();
  });
});
