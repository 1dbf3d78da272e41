/** The appliance network: NIC ports with VFs and their transmit scheduler, embedded switch, ToR switch, flows, builders. */
export * from './build.js';
export * from './embedded-switch.js';
export * from './framing.js';
export * from './network-flow.js';
export * from './nic-port.js';
export * from './tor-switch.js';
