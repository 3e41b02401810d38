import { registerPlugin } from '@capacitor/core';

import { setLogtoNativePlugin } from './bridge.js';
import LogtoClient from './client.js';
import type { LogtoNativePlugin } from './definitions.js';

/**
 * The `LogtoNative` Capacitor plugin (the bridge contract of `definitions.ts`).
 * Apps normally use {@link LogtoClient} instead.
 */
const LogtoNative = registerPlugin<LogtoNativePlugin>('LogtoNative', {
  web: () => import('./web.js').then((m) => new m.LogtoNativeWeb()),
});

setLogtoNativePlugin(LogtoNative);

export default LogtoClient;
export { LogtoClient, LogtoNative };
export { buildSignInRequest, buildConfigureOptions, defaultSignInTimeoutMs, bridgeTimeoutGraceMs } from './client.js';
export type {
  LogtoConfig,
  LogtoClientOptions,
  CapacitorConfig,
  CapacitorBrowserOpenOptions,
  JwtVerifier,
  SignInOptions,
  InteractionMode,
  AuthStateSubscription,
} from './client.js';
export * from './definitions.js';
export {
  Prompt,
  ReservedScope,
  UserScope,
  ReservedResource,
  PersistKey,
  organizationUrnPrefix,
  buildOrganizationUrn,
  getOrganizationIdFromUrn,
} from './constants.js';
export {
  LogtoError,
  LogtoClientError,
  LogtoRequestError,
  OidcError,
  isLogtoRequestError,
  toLogtoError,
  errorKindOf,
} from './errors.js';
export type { LogtoErrorCode, LogtoClientErrorCode, LogtoAnyError, ErrorKind } from './errors.js';
