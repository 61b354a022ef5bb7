import { msToUs } from '../clock.js';
import type { Config } from '../config.js';

/** How long a taken callback is left to the process that took it: an attempt's timeout twice, and a second. */
export const deliveryLeaseUs = (config: Config) => msToUs(config.callback.timeoutMs * 2 + 1000);
