import type { LogtoNativePlugin } from './definitions.js';
import { LogtoClientError } from './errors.js';

/**
 * The registered `LogtoNative` plugin. `index.ts` registers it with
 * `registerPlugin` and hands it over here, so that `client.ts` does not import
 * `index.ts` (no import cycle).
 */
let registered: LogtoNativePlugin | undefined;

export const setLogtoNativePlugin = (plugin: LogtoNativePlugin): void => {
  registered = plugin;
};

export const getLogtoNativePlugin = (): LogtoNativePlugin => {
  if (!registered) {
    throw new LogtoClientError(
      'internal',
      'The LogtoNative plugin is not registered: import LogtoClient from the package entry (logto-native-capacitor).',
    );
  }
  return registered;
};
