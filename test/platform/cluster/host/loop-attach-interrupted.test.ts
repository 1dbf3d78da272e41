/**
 * A loop device's attach stopped midway (Ctrl-C reaches losetup too, which may die after the kernel
 * attached the device and before it printed its name) leaves no undo step for the device: the realiser
 * detaches whatever is attached to the backing file before the error goes on. The direct-I/O attach
 * refused and retried without it is cleaned up the same way.
 */
import { describe, expect, it } from 'vitest';
import { AnvilError } from '../../../../platform/errors.js';
import type { HostActions } from '../../../../bench/targets/host/realise/host-actions.js';
import { attachLoop } from '../../../../bench/targets/host/realise/volumes.js';

const FILE = '/run/anvil/v0.img';

/** Actions for losetup: `attach` answers the attaches in turn (a device name, or an error); `attached` is what the kernel holds. */
function losetup(attach: (string | AnvilError)[]) {
  const attached = new Set<string>();
  const calls: string[] = [];
  let next = 3;
  const actions = {
    run: async (argv: readonly string[]) => {
      calls.push(argv.join(' '));
      if (argv[1] === '--find') {
        // The kernel attaches the device whatever losetup then does.
        const device = `/dev/loop${next++}`;
        attached.add(device);
        const answer = attach.shift();
        if (answer instanceof AnvilError) throw answer;
        return `${device}\n`;
      }
      if (argv[1] === '--associated') return [...attached].map((d) => `${d}: [65024]:2146378 (${FILE})\n`).join('');
      if (argv[1] === '-d') attached.delete(argv[2]!);
      return '';
    },
  } as unknown as HostActions;
  return { actions, attached, calls };
}

describe('a loop device attach that does not finish', () => {
  it('detaches the device a stopped losetup attached, then reports the interruption', async () => {
    const { actions, attached, calls } = losetup([new AnvilError('ANVIL_ERR_INTERRUPTED', 'interrupted during `losetup`')]);
    await expect(attachLoop(actions, FILE, () => undefined)).rejects.toMatchObject({ code: 'ANVIL_ERR_INTERRUPTED' });
    expect(attached.size).toBe(0);
    expect(calls).toEqual([`losetup --find --show --direct-io=on ${FILE}`, `losetup --associated ${FILE}`, 'losetup -d /dev/loop3']);
  });

  it('detaches what a refused direct-I/O attach left before attaching without it', async () => {
    const { actions, attached } = losetup([new AnvilError('ANVIL_ERR_HOST_SETUP', '`losetup` failed: direct io'), '']);
    expect((await attachLoop(actions, FILE, () => undefined)).trim()).toBe('/dev/loop4');
    expect([...attached]).toEqual(['/dev/loop4']);
  });

  it('leaves an attach that succeeds alone', async () => {
    const { actions, calls } = losetup(['']);
    expect((await attachLoop(actions, FILE, () => undefined)).trim()).toBe('/dev/loop3');
    expect(calls).toEqual([`losetup --find --show --direct-io=on ${FILE}`]);
  });
});
