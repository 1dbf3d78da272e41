/** The built-in device kinds, registered once on import. */
import { registerDevice } from './device.js';
import { fittedDevice } from './fitted/fitted-device.js';
import { nullDevice } from './null-device.js';
import { nvmeDevice } from './nvme/index.js';
import { queueDevice } from './queue-device.js';

registerDevice(nullDevice);
registerDevice(queueDevice);
registerDevice(nvmeDevice);
registerDevice(fittedDevice);

export { deviceKind, deviceKinds, DEVICE_API_VERSION } from './device.js';
export type { DeviceCapabilities, DeviceContext, DeviceInstance, DeviceKind, GuaranteeLoad } from './device.js';
