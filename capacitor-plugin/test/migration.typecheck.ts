// Type-level migration check (compiled by `npm run typecheck`, not run):
// code written for @logto/capacitor compiles against this package after the
// one import change. Modelled on logto-io/js packages/capacitor-sample.
import LogtoClient, {
  type AccessTokenClaims,
  type IdTokenClaims,
  type InteractionMode,
  type LogtoConfig,
  type LogtoErrorCode,
  type SignInOptions,
  type UserInfoResponse,
  LogtoClientError,
  LogtoError,
  LogtoRequestError,
  OidcError,
  Prompt,
  ReservedResource,
  ReservedScope,
  UserScope,
  buildOrganizationUrn,
  getOrganizationIdFromUrn,
  organizationUrnPrefix,
} from 'logto-native-capacitor';
import type * as upstream from '@logto/browser';

const config: LogtoConfig = {
  endpoint: 'https://foo.logto.app',
  appId: 'app',
  scopes: [UserScope.Email, UserScope.Organizations, ReservedScope.OfflineAccess],
  resources: ['https://api.example.com', ReservedResource.Organization],
  prompt: [Prompt.Login, Prompt.Consent],
};
export const client = new LogtoClient(config);

export async function sample(): Promise<void> {
  const mode: InteractionMode = 'signUp';
  await client.signIn('com.example.app://callback');
  await client.signIn(new URL('com.example.app://callback'), mode);
  const options: SignInOptions = {
    redirectUri: 'com.example.app://callback',
    firstScreen: 'identifier:sign_in',
    identifiers: ['email'],
    directSignIn: { method: 'social', target: 'google' },
    extraParams: { ui_locales: 'en' },
  };
  await client.signIn(options);
  const authenticated: boolean = await client.isAuthenticated();
  const idToken: string | null = await client.getIdToken();
  const refreshToken: string | null = await client.getRefreshToken();
  const claims: IdTokenClaims = await client.getIdTokenClaims();
  const accessToken: string = await client.getAccessToken('https://api.example.com');
  const organizationToken: string = await client.getOrganizationToken(
    getOrganizationIdFromUrn(buildOrganizationUrn('o')),
  );
  const accessClaims: AccessTokenClaims = await client.getAccessTokenClaims('https://api.example.com');
  const organizationClaims: AccessTokenClaims = await client.getOrganizationTokenClaims('o');
  const userInfo: UserInfoResponse = await client.fetchUserInfo();
  await client.clearAccessToken();
  await client.clearAllTokens();
  await client.signOut('com.example.app://callback/sign-out');
  void [authenticated, idToken, refreshToken, claims, accessToken, organizationToken, accessClaims, organizationClaims];
  void [userInfo, organizationUrnPrefix];
}

export function handle(error: unknown): string | undefined {
  if (error instanceof LogtoClientError && error.code === 'user_cancelled') return 'cancelled';
  if (error instanceof LogtoError) {
    const code: LogtoErrorCode = error.code;
    return error.data instanceof OidcError ? error.data.error : code;
  }
  if (error instanceof LogtoRequestError) return error.code;
  return undefined;
}

// The claim and config types are interchangeable with upstream's.
export const toUpstreamClaims = (claims: IdTokenClaims): upstream.IdTokenClaims => claims;
export const fromUpstreamClaims = (claims: upstream.IdTokenClaims): IdTokenClaims => claims;
export const fromUpstreamUserInfo = (info: upstream.UserInfoResponse): UserInfoResponse => info;
export const fromUpstreamAccessClaims = (claims: upstream.AccessTokenClaims): AccessTokenClaims => claims;
export const fromUpstreamConfig = ({ prompt: _prompt, ...rest }: upstream.LogtoConfig): LogtoConfig => rest;
export const upstreamCodes = (code: upstream.LogtoErrorCode): LogtoErrorCode => code;
