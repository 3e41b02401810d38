import { registerPlugin } from '@capacitor/core';

import { setLogtoNativePlugin } from './bridge';
import LogtoClient from './client';
import type { LogtoNativePlugin } from './definitions';

/**
 * The `LogtoNative` Capacitor plugin (the bridge contract of `definitions.ts`).
 * Apps normally use {@link LogtoClient} instead.
 */
const LogtoNative = registerPlugin<LogtoNativePlugin>('LogtoNative', {
  web: () => import('./web').then((m) => new m.LogtoNativeWeb()),
});

setLogtoNativePlugin(LogtoNative);

export default LogtoClient;
export { LogtoClient, LogtoNative };
export { buildSignInRequest, buildConfigureOptions, defaultSignInTimeoutMs, bridgeTimeoutGraceMs } from './client';
export type { LogtoConfig, SignInOptions, InteractionMode, AuthStateSubscription } from './client';
export * from './definitions';
export {
  Prompt,
  ReservedScope,
  UserScope,
  ReservedResource,
  PersistKey,
  organizationUrnPrefix,
  buildOrganizationUrn,
  getOrganizationIdFromUrn,
} from './constants';
export {
  LogtoError,
  LogtoClientError,
  LogtoRequestError,
  OidcError,
  isLogtoRequestError,
  toLogtoError,
  errorKindOf,
} from './errors';
export type { LogtoErrorCode, LogtoClientErrorCode, LogtoAnyError, ErrorKind } from './errors';
