/**
 * Whether a connection comes from this machine: its remote address in 127.0.0.0/8 (as the kernel routes
 * it), ::1, or IPv4 loopback mapped into IPv6; a whole address, not a prefix of one. One test for the
 * server's plain-http rule, the scheduler extender's callers and the Kubernetes facade's anonymous reads.
 */
export const isLoopbackAddress = (address: string | undefined): boolean =>
  address !== undefined && (address === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address));
