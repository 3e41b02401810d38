// Contract test, type level: code written against the official `@logto/capacitor` (pinned at 4.0.7 in
// devDependencies) type-checks against this package after the import change. Compiled by tsc, never run
// (contract/tsconfig.json; `bash scripts/test-contract.sh`); `logto-native-capacitor` is mapped to the built
// declarations in dist/esm, i.e. what `npm pack` ships. Any missing export or member, and any signature that
// does not accept what the official one accepts or returns something the official one's callers cannot use, is a
// compile error here. contract/checker-self-test.ts proves that the checks below do fail on such differences.
import type * as official from '@logto/capacitor';
import type OfficialClientClass from '@logto/capacitor';
import type * as ours from 'logto-native-capacitor';
import type OurClientClass from 'logto-native-capacitor';

import type {
  AcceptsEveryCall,
  CoversKeys,
  Incompatible,
  MissingMembers,
  Nothing,
  Overloads,
  PublicMethodNames,
  PublicPropertyNames,
  Same,
} from './checks.js';

type OfficialClient = InstanceType<typeof OfficialClientClass>;
type OurClient = InstanceType<typeof OurClientClass>;

// --- Instance methods ------------------------------------------------------------------------------------------
// Every public instance method of the official client (its own and those inherited from @logto/browser and
// @logto/client's StandardLogtoClient), listed so that the script can print what was checked. The list is complete:
// `unlistedMethods` fails to compile when the official client has a public method that is not listed here.
export const checkedMethods = [
  'signIn',
  'signOut',
  'isAuthenticated',
  'getIdToken',
  'getIdTokenClaims',
  'getRefreshToken',
  'getAccessToken',
  'getAccessTokenClaims',
  'getOrganizationToken',
  'getOrganizationTokenClaims',
  'fetchUserInfo',
  'clearAccessToken',
  'clearAllTokens',
  'handleSignInCallback',
  'isSignInRedirected',
  'getOidcConfig',
  'setJwtVerifier',
] as const satisfies readonly PublicMethodNames<OfficialClient>[];

export const unlistedMethods: Nothing<Exclude<PublicMethodNames<OfficialClient>, (typeof checkedMethods)[number]>> =
  true;
export const missingMethods: Nothing<MissingMembers<OfficialClient, OurClient, PublicMethodNames<OfficialClient>>> =
  true;
export const incompatibleMethods: Nothing<Incompatible<OfficialClient, OurClient, PublicMethodNames<OfficialClient>>> =
  true;

// --- Public properties -----------------------------------------------------------------------------------------
// `adapter` (@logto/client's storage/requester/navigate adapter) and `jwtVerifier` (the verifier instance) expose
// the JavaScript OIDC implementation that this package replaces with the native core; they have no counterpart.
// `setJwtVerifier` exists (checked above) and throws `LogtoClientError('jwt_verifier_unsupported')`.
type OmittedOnPurpose = 'adapter' | 'jwtVerifier';
export const checkedProperties = ['logtoConfig'] as const satisfies readonly PublicPropertyNames<OfficialClient>[];
export const unlistedProperties: Nothing<
  Exclude<PublicPropertyNames<OfficialClient>, (typeof checkedProperties)[number] | OmittedOnPurpose>
> = true;
export const missingProperties: Nothing<MissingMembers<OfficialClient, OurClient, (typeof checkedProperties)[number]>> =
  true;
// Read as the official type: what the official client's callers do with `client.logtoConfig`.
export const logtoConfigReadable = (client: OurClient): OfficialClient['logtoConfig'] => client.logtoConfig;

// --- Constructor -----------------------------------------------------------------------------------------------
type OfficialConstructorParameters = ConstructorParameters<typeof OfficialClientClass>;
export const constructorAcceptsOfficialArguments: AcceptsEveryCall<
  (...args: ConstructorParameters<typeof OurClientClass>) => void,
  [OfficialConstructorParameters, void]
> = true;
// Object-typed arguments: an object literal written for the official type must not hit an excess-property error.
type OfficialSignInOptions = Extract<Overloads<OfficialClient['signIn']>[0][0], { redirectUri: unknown }>;
export const configKeys: CoversKeys<OfficialConstructorParameters[0], ours.LogtoConfig> = true;
export const capacitorConfigKeys: CoversKeys<
  NonNullable<OfficialConstructorParameters[1]>,
  ours.CapacitorConfig
> = true;
export const openOptionsKeys: CoversKeys<
  NonNullable<NonNullable<OfficialConstructorParameters[1]>['openOptions']>,
  NonNullable<ours.CapacitorConfig['openOptions']>
> = true;
export const signInOptionsKeys: CoversKeys<OfficialSignInOptions, ours.SignInOptions> = true;
export const signInOptionsAccepted = (options: OfficialSignInOptions): ours.SignInOptions => options;

// --- Module exports --------------------------------------------------------------------------------------------
// Value exports: every one exists, and is usable as the official one is.
type OfficialModule = typeof official;
type OurModule = typeof ours;
export const missingValueExports: Nothing<Exclude<keyof OfficialModule, keyof OurModule>> = true;

export const checkedValueExports = [
  'default',
  'LogtoError',
  'LogtoRequestError',
  'LogtoClientError',
  'OidcError',
  'Prompt',
  'ReservedScope',
  'ReservedResource',
  'UserScope',
  'PersistKey',
  'organizationUrnPrefix',
  'buildOrganizationUrn',
  'getOrganizationIdFromUrn',
] as const satisfies readonly (keyof OfficialModule)[];
export const unlistedValueExports: Nothing<Exclude<keyof OfficialModule, (typeof checkedValueExports)[number]>> = true;

// Functions: callable with the official arguments, returning what the official callers expect.
export const functionExports: Nothing<
  Incompatible<OfficialModule, OurModule, 'buildOrganizationUrn' | 'getOrganizationIdFromUrn'>
> = true;
export const urnPrefix: Same<OurModule['organizationUrnPrefix'], OfficialModule['organizationUrnPrefix']> = true;

// Enums: the same members with the same values.
type EnumValues<E> = { [K in keyof E]: E[K] extends string ? `${E[K]}` : E[K] };
export const prompt: Same<EnumValues<OurModule['Prompt']>, EnumValues<OfficialModule['Prompt']>> = true;
export const reservedScope: Same<
  EnumValues<OurModule['ReservedScope']>,
  EnumValues<OfficialModule['ReservedScope']>
> = true;
export const reservedResource: Same<
  EnumValues<OurModule['ReservedResource']>,
  EnumValues<OfficialModule['ReservedResource']>
> = true;
export const userScope: Same<EnumValues<OurModule['UserScope']>, EnumValues<OfficialModule['UserScope']>> = true;
export const persistKey: Same<EnumValues<OurModule['PersistKey']>, EnumValues<OfficialModule['PersistKey']>> = true;
// An official enum value is accepted where ours is expected (TypeScript relates enums by name and members).
export const officialPromptAccepted = (value: official.Prompt): ours.Prompt => value;
export const officialScopeAccepted = (value: official.UserScope): ours.UserScope => value;

// Error classes: constructible with the official arguments; every public member of the official instance exists;
// every official error code is one of ours (so `error.code === '<official code>'` stays meaningful).
type ErrorClassNames = 'LogtoError' | 'LogtoRequestError' | 'LogtoClientError' | 'OidcError';
type ConstructibleWithOfficialArguments<K extends ErrorClassNames> = AcceptsEveryCall<
  (...args: ConstructorParameters<OurModule[K]>) => void,
  [ConstructorParameters<OfficialModule[K]>, void]
>;
export const errorConstructors: [
  ConstructibleWithOfficialArguments<'LogtoError'>,
  ConstructibleWithOfficialArguments<'LogtoRequestError'>,
  ConstructibleWithOfficialArguments<'LogtoClientError'>,
  ConstructibleWithOfficialArguments<'OidcError'>,
] = [true, true, true, true];
type ErrorMembersMissing<K extends ErrorClassNames> = Exclude<
  keyof InstanceType<OfficialModule[K]>,
  keyof InstanceType<OurModule[K]>
>;
export const errorMembers: Nothing<
  ErrorMembersMissing<'LogtoError'> | ErrorMembersMissing<'LogtoRequestError'> | ErrorMembersMissing<'LogtoClientError'>
> = true;
export const oidcErrorMembers: Nothing<ErrorMembersMissing<'OidcError'>> = true;
export const logtoClientErrorCodes: Nothing<
  Exclude<InstanceType<OfficialModule['LogtoClientError']>['code'], InstanceType<OurModule['LogtoClientError']>['code']>
> = true;
export const logtoErrorCodes: Nothing<
  Exclude<InstanceType<OfficialModule['LogtoError']>['code'], InstanceType<OurModule['LogtoError']>['code']>
> = true;

// Type exports: the official ones exist in ours and hold the official values (the claims and user info types are
// what the platform returns; `LogtoErrorCode` and `InteractionMode` are unions of the same strings).
export const checkedTypeExports = [
  'AccessTokenClaims',
  'IdTokenClaims',
  'InteractionMode',
  'LogtoErrorCode',
  'UserInfoResponse',
  'CapacitorConfig',
] as const;
export const idTokenClaims = (value: official.IdTokenClaims): ours.IdTokenClaims => value;
export const idTokenClaimsBack = (value: ours.IdTokenClaims): official.IdTokenClaims => value;
export const accessTokenClaims = (value: official.AccessTokenClaims): ours.AccessTokenClaims => value;
export const accessTokenClaimsBack = (value: ours.AccessTokenClaims): official.AccessTokenClaims => value;
export const userInfo = (value: official.UserInfoResponse): ours.UserInfoResponse => value;
export const userInfoBack = (value: ours.UserInfoResponse): official.UserInfoResponse => value;
export const interactionMode: Same<ours.InteractionMode, official.InteractionMode> = true;
export const logtoErrorCode: Same<ours.LogtoErrorCode, official.LogtoErrorCode> = true;
export const capacitorConfig = (value: official.CapacitorConfig): ours.CapacitorConfig => value;
