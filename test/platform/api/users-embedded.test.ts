/**
 * Users on the embedded state hold to the API's rule: deleting a user revokes its tokens, and a user created
 * under a free name inherits no token left in the file (the server would accept them again).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenStore } from '../../../platform/api/tokens.js';
import { localAdmin } from '../../../platform/domain/tenancy.js';
import { Store } from '../../../platform/state/store.js';
import { anvilInProcess, tempDir } from '../../cli-harness.js';

/** `anvil ARGS --state STATE` in-process (the test is about what it prints and changes). */
function anvil(state: string, args: string[]) {
  return anvilInProcess([...args, '--state', state], { ANVIL_SERVER: '', ANVIL_TOKEN: '', ANVIL_USER: 'admin' });
}

function tokensOf(state: string, user: string): number {
  const tokens = TokenStore.open(state);
  try {
    return tokens.list(user).length;
  } finally {
    tokens.close();
  }
}

describe('users on the embedded state', () => {
  it('user delete and delete users revoke the tokens; user create clears tokens a deleted user left', async () => {
    const state = join(tempDir('anvil-users-'), 'state.db');
    for (const name of ['admin', 'bob', 'carl'])
      expect((await anvil(state, ['user', 'create', name, '--roles', name === 'admin' ? 'cluster-admin' : 'viewer'])).code).toBe(0);
    for (const name of ['bob', 'bob', 'carl']) expect((await anvil(state, ['token', 'create', name])).stdout).toMatch(/^anvil_\S+\n$/);
    expect((await anvil(state, ['user', 'delete', 'bob'])).stdout).toBe('user bob deleted, 2 tokens revoked\n');
    expect(tokensOf(state, 'bob')).toBe(0);
    expect((await anvil(state, ['delete', 'users', 'carl'])).stdout).toBe('user carl deleted\n');
    expect(tokensOf(state, 'carl')).toBe(0);

    // A crash between deleting a user and revoking its tokens leaves them in the file: the next user of the name gets none.
    expect((await anvil(state, ['user', 'create', 'dan', '--roles', 'viewer'])).code).toBe(0);
    expect((await anvil(state, ['token', 'create', 'dan'])).code).toBe(0);
    const store = Store.open(state);
    store.change(localAdmin(), 'delete users', 'users/dan', (cp) => cp.deleteUser('dan'));
    store.close();
    expect(tokensOf(state, 'dan')).toBe(1);
    expect((await anvil(state, ['user', 'create', 'dan', '--roles', 'viewer'])).stdout).toBe('user dan created\n');
    expect(tokensOf(state, 'dan')).toBe(0);

    // Refused changes keep the tokens: the last user manager, and a user that exists already.
    expect((await anvil(state, ['token', 'create', 'admin'])).code).toBe(0);
    const last = await anvil(state, ['user', 'delete', 'admin']);
    expect([last.code, last.stderr.split(':')[0]]).toEqual([1, 'ANVIL_ERR_IN_USE']);
    const dup = await anvil(state, ['user', 'create', 'admin', '--roles', 'viewer']);
    expect([dup.code, dup.stderr.split(':')[0]]).toEqual([1, 'ANVIL_ERR_OBJECT_EXISTS']);
    expect(tokensOf(state, 'admin')).toBe(1);
  });
});
