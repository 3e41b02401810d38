/**
 * Error classes with the names, codes and shapes of `@logto/client` /
 * `@logto/js`, plus the codes of the native core, and the mapping from a
 * bridge rejection (`{ code, message, data }`) to the right class.
 */

const logtoErrorMessages = Object.freeze({
  'id_token.invalid_iat': 'Invalid issued at time in the ID token',
  'id_token.invalid_token': 'Invalid ID token',
  'callback_uri_verification.redirect_uri_mismatched': 'The callback URI mismatches the redirect URI.',
  'callback_uri_verification.error_found': 'Error found in the callback URI',
  'callback_uri_verification.missing_state': 'Missing state in the callback URI',
  'callback_uri_verification.state_mismatched': 'State mismatched in the callback URI',
  'callback_uri_verification.missing_code': 'Missing code in the callback URI',
  crypto_subtle_unavailable: 'Crypto.subtle is unavailable in insecure contexts (non-HTTPS).',
  unexpected_response_error: 'Unexpected response error from the server.',
});

/** The codes of {@link LogtoError}, as in `@logto/js`. */
export type LogtoErrorCode = keyof typeof logtoErrorMessages;

const logtoClientErrorMessages = Object.freeze({
  'sign_in_session.invalid': 'Invalid sign-in session.',
  'sign_in_session.not_found': 'Sign-in session not found.',
  not_authenticated: 'Not authenticated.',
  fetch_user_info_failed: 'Unable to fetch user info. The access token may be invalid.',
  user_cancelled: 'The user cancelled the action.',
  missing_scope_organizations: 'The `urn:logto:scope:organizations` scope is required',
  // Codes of the native core and of this plugin.
  storage: 'The secure token storage failed.',
  invalid_config: 'The Logto configuration is invalid.',
  sign_in_in_progress: 'Another sign-in or sign-out is in progress.',
  browser_unavailable: 'No browser is available to sign in.',
  timeout: 'The sign-in or sign-out did not finish in time.',
  internal: 'Internal error.',
  jwt_verifier_unsupported:
    'setJwtVerifier is not supported: ID tokens are verified by the Logto native core (signature with an algorithm allow-list, issuer, audience, expiry, issued-at, nonce) or, on the web, by @logto/browser, and that verification cannot be replaced. Remove the call.',
});

/** The codes of {@link LogtoClientError}: the `@logto/client` codes plus the native core's. */
export type LogtoClientErrorCode = keyof typeof logtoClientErrorMessages;

/** The error of an OIDC error response (`error`, `error_description`). Not an `Error`, as in `@logto/js`. */
export class OidcError {
  name = 'OidcError';

  constructor(
    public error: string,
    public errorDescription?: string,
  ) {}
}

/** Token, callback and response verification errors (`@logto/js` `LogtoError`). */
export class LogtoError extends Error {
  name = 'LogtoError';
  code: LogtoErrorCode;
  data?: unknown;

  constructor(code: LogtoErrorCode, data?: unknown) {
    super(logtoErrorMessages[code] ?? String(code));
    this.code = code;
    this.data = data;
  }
}

/** Client state errors (`@logto/client` `LogtoClientError`), plus the native core's client codes. */
export class LogtoClientError extends Error {
  name = 'LogtoClientError';
  code: LogtoClientErrorCode;
  data: unknown;

  constructor(code: LogtoClientErrorCode, data?: unknown) {
    super(logtoClientErrorMessages[code] ?? String(code));
    this.code = code;
    this.data = data;
  }
}

/**
 * A failed request (`@logto/js` `LogtoRequestError`): `oidc.<error>` for an
 * OAuth error response, `http_error_<status>`, `rate_limited`, or `network`
 * when the server could not be reached. `cause` is the `Response` on the web
 * and absent natively; `data` carries `{ error, errorDescription }` for OAuth
 * errors when the platform provides it.
 */
export class LogtoRequestError extends Error {
  name = 'LogtoRequestError';
  code: string;
  cause?: unknown;
  data?: unknown;

  constructor(code: string, message: string, cause?: unknown, data?: unknown) {
    super(message);
    this.code = code;
    this.cause = cause;
    this.data = data;
  }
}

/** Whether a value is a {@link LogtoRequestError} (also one thrown by `@logto/js`). */
export const isLogtoRequestError = (value: unknown): value is LogtoRequestError =>
  value instanceof LogtoRequestError || (value instanceof Error && value.name === 'LogtoRequestError');

/** Any error this package throws. */
export type LogtoAnyError = LogtoError | LogtoClientError | LogtoRequestError;

/** Which class a code belongs to. */
export type ErrorKind = 'LogtoClientError' | 'LogtoError' | 'LogtoRequestError';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The class that an error code maps to, or `undefined` for an unknown code. */
export const errorKindOf = (code: string): ErrorKind | undefined => {
  if (Object.prototype.hasOwnProperty.call(logtoClientErrorMessages, code)) {
    return 'LogtoClientError';
  }
  if (
    Object.prototype.hasOwnProperty.call(logtoErrorMessages, code) ||
    code.startsWith('id_token.') ||
    code.startsWith('callback_uri_verification.')
  ) {
    return 'LogtoError';
  }
  if (code.startsWith('oidc.') || /^http_error_\d{3}$/.test(code) || code === 'rate_limited' || code === 'network') {
    return 'LogtoRequestError';
  }
  return undefined;
};

/** `data` of an OAuth error as sent by the platforms: `{ error, errorDescription? }`. */
const toOidcError = (data: unknown): OidcError | undefined => {
  if (!isRecord(data) || typeof data.error !== 'string') {
    return undefined;
  }
  const description =
    typeof data.errorDescription === 'string'
      ? data.errorDescription
      : typeof data.error_description === 'string'
        ? data.error_description
        : undefined;
  return new OidcError(data.error, description);
};

const isOwnError = (error: unknown): error is LogtoAnyError =>
  error instanceof LogtoError || error instanceof LogtoClientError || error instanceof LogtoRequestError;

/**
 * Turn a bridge rejection into an error of this package.
 *
 * A Capacitor rejection is an `Error` with `code` (the core's stable code),
 * `message` (safe to show or log) and optional `data`. Errors that already are
 * ours are returned unchanged. `UNIMPLEMENTED` / `UNAVAILABLE` (Capacitor's
 * own codes) and unknown codes become `LogtoClientError('internal')` with the
 * original error as `data`. Anything without a code is returned unchanged
 * (a programming error such as a `TypeError` should not be disguised).
 */
export const toLogtoError = (error: unknown): unknown => {
  if (isOwnError(error)) {
    return error;
  }
  if (!isRecord(error) || typeof error.code !== 'string' || error.code === '') {
    return error;
  }
  const { code } = error;
  const message = typeof error.message === 'string' && error.message !== '' ? error.message : undefined;
  const { data } = error;

  switch (errorKindOf(code)) {
    case 'LogtoClientError': {
      const mapped = new LogtoClientError(code as LogtoClientErrorCode, data);
      if (message) {
        mapped.message = message;
      }
      return mapped;
    }
    case 'LogtoError': {
      const oidcError = code === 'callback_uri_verification.error_found' ? toOidcError(data) : undefined;
      const mapped = new LogtoError(code as LogtoErrorCode, oidcError ?? data);
      if (message) {
        mapped.message = message;
      }
      return mapped;
    }
    case 'LogtoRequestError': {
      return new LogtoRequestError(code, message ?? code, undefined, toOidcError(data) ?? data);
    }
    default: {
      const mapped = new LogtoClientError('internal', error);
      mapped.message = message ? `${code}: ${message}` : code;
      return mapped;
    }
  }
};
