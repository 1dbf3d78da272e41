/** The `nvme` device kind and what its tests and reports look at. */
export { nvmeDevice, NvmeDevice } from './nvme-device.js';
export { nvmeCapacity, nvmeSchema, datasheetSchema, resolveNvme } from './params.js';
export type { NvmeConfig, NvmeParams, Datasheet } from './params.js';
export { lrwWriteAmplification, lrwWriteAmplificationApprox, SequentialDetector } from './garbage-collection.js';
export { nvmeGuaranteedIops } from './guarantee.js';
