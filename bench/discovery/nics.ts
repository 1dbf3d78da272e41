/**
 * NICs from sysfs (/sys/class/net): MAC, link speed, MTU, state, driver and SR-IOV capability
 * (device/sriov_totalvfs, device/sriov_numvfs). Loopback and virtual devices without a `device`
 * link (bridges, veths, ifb) are left out: they are not hardware a node profile describes.
 */
import type { Nic } from './discovered-node.js';
import type { SysfsReader } from './drives.js';

/**
 * `read(path)` reads `class/net/...` files; `driverOf(name)` gives the driver (the basename of
 * device/driver's link) or undefined when the device has no `device` link (virtual).
 */
export function readNics(read: SysfsReader, names: readonly string[], driverOf: (name: string) => string | undefined): Nic[] {
  const out: Nic[] = [];
  for (const name of [...names].sort()) {
    if (name === 'lo') continue;
    const driver = driverOf(name);
    if (driver === undefined) continue;
    const base = `class/net/${name}`;
    // speed is in Mbit/s; -1 (or EINVAL) when the link is down or the driver does not say.
    const speed = Number(read(`${base}/speed`) ?? '-1');
    const total = read(`${base}/device/sriov_totalvfs`);
    const num = read(`${base}/device/sriov_numvfs`);
    out.push({
      name,
      mac: read(`${base}/address`) ?? '',
      speed_bps: Number.isFinite(speed) && speed > 0 ? speed * 1e6 : null,
      mtu: Number(read(`${base}/mtu`) ?? '0'),
      state: read(`${base}/operstate`) ?? 'unknown',
      driver,
      sriov: total !== undefined ? { total_vfs: Number(total), num_vfs: Number(num ?? '0') } : null,
    });
  }
  return out;
}
