import { WebPlugin } from '@capacitor/core';
import type * as BrowserSdkModule from '@logto/browser';
import type { BaseClient } from '@logto/browser';

import type {
  AccessTokenClaimsResult,
  AuthStateChangeType,
  BooleanResult,
  ConfigureOptions,
  GetAccessTokenClaimsOptions,
  GetAccessTokenOptions,
  HandleSignInCallbackOptions,
  IdTokenClaimsResult,
  IsSignInRedirectedOptions,
  LogtoNativePlugin,
  NullableStringResult,
  OidcConfigResult,
  OrganizationTokenOptions,
  SignInRequest,
  SignOutOptions,
  StringResult,
  UserInfoResult,
} from './definitions.js';
import {
  LogtoClientError,
  LogtoError,
  LogtoRequestError,
  OidcError,
  toLogtoError,
  type LogtoClientErrorCode,
  type LogtoErrorCode,
} from './errors.js';

type BrowserSdk = typeof BrowserSdkModule;
type BrowserClient = InstanceType<typeof BaseClient>;
type Requester = <T>(input: RequestInfo | URL, init?: RequestInit) => Promise<T>;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Whether a token request body is a refresh-token grant. */
const isRefreshGrant = (init: RequestInit | undefined): boolean => {
  const body = init?.body;
  if (typeof body === 'string') {
    return new URLSearchParams(body).get('grant_type') === 'refresh_token';
  }
  return body instanceof URLSearchParams && body.get('grant_type') === 'refresh_token';
};

/**
 * Turn a failed response into a `LogtoRequestError`, with the codes the
 * native core uses: Logto's `{ code, message }` body as it is, a plain OAuth
 * error body (`{ error, error_description }`, as oidc-provider sends) as
 * `oidc.<error>`, otherwise `rate_limited` / `http_error_<status>`.
 */
const responseError = async (response: Response): Promise<LogtoRequestError> => {
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (isRecord(body) && typeof body.code === 'string' && typeof body.message === 'string') {
    const oidcError =
      typeof body.error === 'string'
        ? new OidcError(body.error, typeof body.error_description === 'string' ? body.error_description : undefined)
        : undefined;
    return new LogtoRequestError(body.code, body.message, response, oidcError);
  }
  if (isRecord(body) && typeof body.error === 'string') {
    const description = typeof body.error_description === 'string' ? body.error_description : undefined;
    return new LogtoRequestError(
      `oidc.${body.error}`,
      description ?? body.error,
      response,
      new OidcError(body.error, description),
    );
  }
  const code = response.status === 429 ? 'rate_limited' : `http_error_${response.status}`;
  return new LogtoRequestError(code, response.statusText || code, response);
};

/**
 * The requester given to `@logto/client`: `fetch`, JSON bodies, our error
 * codes, `network` when the server cannot be reached, and an empty 2xx body
 * (the revocation endpoint's) read as `null`.
 */
export const createWebRequester =
  (fetchFunction: typeof fetch = (...args) => fetch(...args)): Requester =>
  async <T>(input: RequestInfo | URL, init?: RequestInit): Promise<T> => {
    let response: Response;
    try {
      response = await fetchFunction(input, init);
    } catch (error: unknown) {
      throw new LogtoRequestError('network', 'The Logto server could not be reached.', error);
    }
    if (!response.ok) {
      throw await responseError(response);
    }
    const text = await response.text();
    if (!text) {
      return null as T;
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new LogtoError('unexpected_response_error', { status: response.status });
    }
  };

/**
 * Turn an error of `@logto/browser` / `@logto/client` / `@logto/js` into the
 * same class of this package, keeping `code`, `data` and `message`.
 */
export const mapWebError = (error: unknown): unknown => {
  const isOurs = error instanceof LogtoClientError || error instanceof LogtoError || error instanceof LogtoRequestError;
  if (isOurs || !(error instanceof Error)) {
    return toLogtoError(error);
  }
  const { code, data } = error as { code?: unknown; data?: unknown };
  if (typeof code !== 'string') {
    return error;
  }
  switch (error.name) {
    case 'LogtoClientError': {
      const result = new LogtoClientError(code as LogtoClientErrorCode, data);
      result.message = error.message;
      return result;
    }
    case 'LogtoError': {
      if (code === 'unexpected_response_error' && isRecord(data) && typeof data.error === 'string') {
        const description = typeof data.error_description === 'string' ? data.error_description : undefined;
        return new LogtoRequestError(
          `oidc.${data.error}`,
          description ?? data.error,
          error,
          new OidcError(data.error, description),
        );
      }
      const converted =
        isRecord(data) && data.name === 'OidcError' && typeof data.error === 'string'
          ? new OidcError(data.error, typeof data.errorDescription === 'string' ? data.errorDescription : undefined)
          : data;
      const result = new LogtoError(code as LogtoErrorCode, converted);
      result.message = error.message;
      return result;
    }
    case 'LogtoRequestError':
      return new LogtoRequestError(code, error.message, (error as { cause?: unknown }).cause);
    default:
      return toLogtoError(error);
  }
};

const isInvalidGrant = (error: unknown): boolean =>
  error instanceof LogtoRequestError && error.code === 'oidc.invalid_grant';

/**
 * The web implementation of the `LogtoNative` bridge, for `ionic serve` and
 * PWAs: the redirect flow of `@logto/browser` (PKCE, `state`, tokens in
 * `localStorage`, the sign-in session in `sessionStorage`).
 *
 * `signIn` and `signOut` navigate the window away. After the redirect back
 * the app calls `handleSignInCallback` with `window.location.href`.
 */
export class LogtoNativeWeb extends WebPlugin implements LogtoNativePlugin {
  #client?: BrowserClient;

  /** Load `@logto/browser` only when the web platform is used. */
  protected loadSdk(): Promise<BrowserSdk> {
    return import('@logto/browser');
  }

  /** Navigate the window (overridable in tests). */
  protected navigate(url: string): void {
    window.location.assign(url);
  }

  /** The `fetch` used for Logto requests (overridable in tests). */
  protected fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    return fetch(input, init);
  }

  async configure({ config }: ConfigureOptions): Promise<void> {
    if (!isRecord(config) || typeof config.appId !== 'string' || config.appId === '') {
      throw new LogtoClientError('invalid_config', 'appId is required.');
    }
    let endpoint: URL;
    try {
      endpoint = new URL(config.endpoint);
    } catch {
      throw new LogtoClientError('invalid_config', 'endpoint must be an absolute URL.');
    }
    if (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') {
      throw new LogtoClientError('invalid_config', 'endpoint must be an http(s) URL.');
    }
    const sdk = await this.loadSdk();
    const baseRequester = createWebRequester((input, init) => this.fetch(input, init));
    const requester: Requester = async <T>(input: RequestInfo | URL, init?: RequestInit): Promise<T> => {
      const refresh = isRefreshGrant(init);
      try {
        const result = await baseRequester<T>(input, init);
        if (refresh) {
          this.#emit('tokensRefreshed');
        }
        return result;
      } catch (error: unknown) {
        if (refresh && isInvalidGrant(error)) {
          this.#emit('sessionExpired');
        }
        throw error;
      }
    };
    this.#client = new sdk.BaseClient(
      {
        endpoint: config.endpoint,
        appId: config.appId,
        scopes: config.scopes,
        resources: config.resources,
        prompt: config.prompt as BaseClientConfig['prompt'],
        includeReservedScopes: config.includeReservedScopes,
      },
      {
        requester,
        navigate: (url: string) => {
          this.navigate(url);
        },
        storage: new sdk.BrowserStorage(config.appId),
        generateCodeChallenge: sdk.generateCodeChallenge,
        generateCodeVerifier: sdk.generateCodeVerifier,
        generateState: sdk.generateState,
      },
    );
  }

  async signIn(request: SignInRequest): Promise<void> {
    await this.#run((client) =>
      client.signIn({
        redirectUri: request.redirectUri,
        postRedirectUri: request.postRedirectUri,
        clearTokens: request.clearTokens,
        prompt: request.prompt as BaseClientConfig['prompt'],
        firstScreen: request.firstScreen,
        identifiers: request.identifiers,
        loginHint: request.loginHint,
        directSignIn: request.directSignIn,
        extraParams: request.extraParams,
      }),
    );
  }

  async signOut({ postLogoutRedirectUri }: SignOutOptions): Promise<void> {
    await this.#run((client) => client.signOut(postLogoutRedirectUri));
    this.#emit('signedOut');
  }

  async isAuthenticated(): Promise<BooleanResult> {
    return { value: await this.#run((client) => client.isAuthenticated()) };
  }

  async getIdToken(): Promise<NullableStringResult> {
    return { value: (await this.#run((client) => client.getIdToken())) ?? null };
  }

  async getIdTokenClaims(): Promise<IdTokenClaimsResult> {
    return { value: await this.#run((client) => client.getIdTokenClaims()) };
  }

  async getRefreshToken(): Promise<NullableStringResult> {
    return { value: (await this.#run((client) => client.getRefreshToken())) ?? null };
  }

  async getAccessToken({ resource, organizationId }: GetAccessTokenOptions): Promise<StringResult> {
    return { value: await this.#run((client) => client.getAccessToken(resource, organizationId)) };
  }

  async getAccessTokenClaims({ resource }: GetAccessTokenClaimsOptions): Promise<AccessTokenClaimsResult> {
    return { value: await this.#run((client) => client.getAccessTokenClaims(resource)) };
  }

  async getOrganizationToken({ organizationId }: OrganizationTokenOptions): Promise<StringResult> {
    return { value: await this.#run((client) => client.getOrganizationToken(organizationId)) };
  }

  async getOrganizationTokenClaims({ organizationId }: OrganizationTokenOptions): Promise<AccessTokenClaimsResult> {
    return { value: await this.#run((client) => client.getOrganizationTokenClaims(organizationId)) };
  }

  async fetchUserInfo(): Promise<UserInfoResult> {
    return { value: await this.#run((client) => client.fetchUserInfo()) };
  }

  async clearAccessToken(): Promise<void> {
    await this.#run((client) => client.clearAccessToken());
  }

  async clearAllTokens(): Promise<void> {
    await this.#run((client) => client.clearAllTokens());
    this.#emit('signedOut');
  }

  async handleSignInCallback({ url }: HandleSignInCallbackOptions): Promise<void> {
    await this.#run((client) => client.handleSignInCallback(url));
    this.#emit('signedIn');
  }

  async getOidcConfig(): Promise<OidcConfigResult> {
    // @logto/client fetches the document once (retrying after a failure) and camelCases its top-level keys.
    return { value: { ...(await this.#run((client) => client.getOidcConfig())) } };
  }

  async isSignInRedirected({ url }: IsSignInRedirectedOptions): Promise<BooleanResult> {
    // @logto/client compares `origin + pathname` with the stored sign-in session's redirect URI; its `new URL(url)`
    // throws a TypeError for an unparsable URL, which cannot be the redirect: false, as natively.
    // (`new URL` rather than `URL.canParse`, which Safari has only since 17.)
    try {
      new URL(url);
    } catch {
      return { value: false };
    }
    return { value: await this.#run((client) => client.isSignInRedirected(url)) };
  }

  #emit(type: AuthStateChangeType): void {
    this.notifyListeners('authStateChange', { type });
  }

  async #run<T>(run: (client: BrowserClient) => Promise<T>): Promise<T> {
    if (!this.#client) {
      throw new LogtoClientError('invalid_config', 'LogtoNative.configure() has not been called.');
    }
    try {
      return await run(this.#client);
    } catch (error: unknown) {
      throw mapWebError(error);
    }
  }
}

type BaseClientConfig = ConstructorParameters<typeof BaseClient>[0];
