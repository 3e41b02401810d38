// Self-test of the contract checks (contract/checks.ts): each `@ts-expect-error` below applies a check to a
// deliberately broken copy of this package's client and must fail to compile. If a check stopped catching its kind
// of difference, the directive would be unused and tsc would fail with "Unused '@ts-expect-error' directive".
// The last block is the positive control: the official client checked against itself passes every check.
import type OfficialClientClass from '@logto/capacitor';
import type OurClientClass from 'logto-native-capacitor';

import type {
  AcceptsEveryCall,
  CoversKeys,
  Incompatible,
  MissingMembers,
  Nothing,
  Overloads,
  PublicMethodNames,
  Same,
} from './checks.js';

type OfficialClient = InstanceType<typeof OfficialClientClass>;
type OurClient = InstanceType<typeof OurClientClass>;
type Methods = PublicMethodNames<OfficialClient>;

// A missing method.
type WithoutGetOidcConfig = Omit<OurClient, 'getOidcConfig'>;
// @ts-expect-error getOidcConfig is reported missing
export const missing: Nothing<MissingMembers<OfficialClient, WithoutGetOidcConfig, Methods>> = true;

// A narrower parameter type. A plain `Ours['m'] extends Official['m']` would let this pass (methods are compared
// bivariantly); AcceptsEveryCall compares against function type literals, so it does not.
type NarrowParameter = Omit<OurClient, 'getAccessToken'> & {
  getAccessToken(resource?: 'https://only.this', organizationId?: string): Promise<string>;
};
// @ts-expect-error a narrower parameter is reported
export const narrow: Nothing<Incompatible<OfficialClient, NarrowParameter, Methods>> = true;

// A parameter that became required.
type RequiredParameter = Omit<OurClient, 'getAccessTokenClaims'> & {
  getAccessTokenClaims(resource: string): ReturnType<OurClient['getAccessTokenClaims']>;
};
// @ts-expect-error a required parameter is reported
export const required: Nothing<Incompatible<OfficialClient, RequiredParameter, Methods>> = true;

// A wider result type.
type WiderResult = Omit<OurClient, 'isAuthenticated'> & { isAuthenticated(): Promise<boolean | 'maybe'> };
// @ts-expect-error a wider result is reported
export const wider: Nothing<Incompatible<OfficialClient, WiderResult, Methods>> = true;

// A missing overload: the official `signIn(redirectUri, interactionMode)` form.
type ObjectFormOnly = Omit<OurClient, 'signIn'> & {
  signIn(options: { redirectUri: string | URL }): Promise<void>;
};
// @ts-expect-error a missing overload is reported
export const overload: Nothing<Incompatible<OfficialClient, ObjectFormOnly, Methods>> = true;

// A synchronous result where the official one is a promise.
type SyncResult = Omit<OurClient, 'getOidcConfig'> & {
  getOidcConfig(): ReturnType<OfficialClient['getOidcConfig']> extends Promise<infer T> ? T : never;
};
// @ts-expect-error a non-promise result is reported
export const sync: Nothing<Incompatible<OfficialClient, SyncResult, Methods>> = true;

// An option object without one of the official keys (an object literal would hit an excess-property error).
type OfficialSignInOptions = Extract<Overloads<OfficialClient['signIn']>[0][0], { redirectUri: unknown }>;
// @ts-expect-error a missing option key is reported
export const keys: CoversKeys<OfficialSignInOptions, Omit<OfficialSignInOptions, 'clearTokens'>> = true;

// A constructor that needs more than the official one.
// @ts-expect-error a stricter constructor is reported
export const ctor: AcceptsEveryCall<
  (config: { endpoint: string; appId: string }, options: { ios?: unknown }) => void,
  [ConstructorParameters<typeof OfficialClientClass>, void]
> = true;

// Type equality.
// @ts-expect-error different types are reported
export const same: Same<'signIn' | 'signUp', 'signIn'> = true;

// Positive control: the official client against itself.
export const control: [
  Nothing<MissingMembers<OfficialClient, OfficialClient, Methods>>,
  Nothing<Incompatible<OfficialClient, OfficialClient, Methods>>,
  CoversKeys<OfficialSignInOptions, OfficialSignInOptions>,
] = [true, true, true];
