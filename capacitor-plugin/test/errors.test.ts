import * as logtoJs from '@logto/js';
import { describe, expect, it, vi } from 'vitest';

import {
  LogtoClientError,
  LogtoError,
  LogtoRequestError,
  OidcError,
  errorKindOf,
  isLogtoRequestError,
  toLogtoError,
} from '../src/errors';
import { nativeRejection } from './fake-plugin';

const classes = { LogtoClientError, LogtoError, LogtoRequestError } as const;

describe('toLogtoError: each code maps to its class', () => {
  it.each([
    // @logto/client codes
    ['user_cancelled', 'LogtoClientError'],
    ['not_authenticated', 'LogtoClientError'],
    ['sign_in_session.not_found', 'LogtoClientError'],
    ['sign_in_session.invalid', 'LogtoClientError'],
    ['fetch_user_info_failed', 'LogtoClientError'],
    ['missing_scope_organizations', 'LogtoClientError'],
    // the native core's client codes
    ['storage', 'LogtoClientError'],
    ['invalid_config', 'LogtoClientError'],
    ['sign_in_in_progress', 'LogtoClientError'],
    ['browser_unavailable', 'LogtoClientError'],
    ['timeout', 'LogtoClientError'],
    ['internal', 'LogtoClientError'],
    // @logto/js codes
    ['id_token.invalid_token', 'LogtoError'],
    ['id_token.invalid_iat', 'LogtoError'],
    ['id_token.invalid_signature', 'LogtoError'],
    ['callback_uri_verification.redirect_uri_mismatched', 'LogtoError'],
    ['callback_uri_verification.error_found', 'LogtoError'],
    ['callback_uri_verification.missing_state', 'LogtoError'],
    ['callback_uri_verification.state_mismatched', 'LogtoError'],
    ['callback_uri_verification.missing_code', 'LogtoError'],
    ['callback_uri_verification.issuer_mismatched', 'LogtoError'],
    ['crypto_subtle_unavailable', 'LogtoError'],
    ['unexpected_response_error', 'LogtoError'],
    // request errors
    ['oidc.invalid_grant', 'LogtoRequestError'],
    ['oidc.access_denied', 'LogtoRequestError'],
    ['http_error_500', 'LogtoRequestError'],
    ['http_error_404', 'LogtoRequestError'],
    ['rate_limited', 'LogtoRequestError'],
    ['network', 'LogtoRequestError'],
  ] as const)('%s → %s', (code, kind) => {
    expect(errorKindOf(code)).toBe(kind);
    const mapped = toLogtoError(nativeRejection(code, 'safe message', { detail: 1 }));
    expect(mapped).toBeInstanceOf(classes[kind]);
    for (const other of Object.values(classes).filter((value) => value !== classes[kind])) {
      expect(mapped).not.toBeInstanceOf(other);
    }
    expect(mapped).toBeInstanceOf(Error);
    expect(mapped).toMatchObject({ name: kind, code, message: 'safe message' });
  });

  it('keeps data on client and verification errors', () => {
    expect(toLogtoError(nativeRejection('not_authenticated', 'x', { reason: 'no id token' }))).toMatchObject({
      data: { reason: 'no id token' },
    });
    expect(toLogtoError(nativeRejection('id_token.invalid_iat', 'x', { skew: 400 }))).toMatchObject({
      data: { skew: 400 },
    });
  });

  it('uses the Logto message when the platform sends none', () => {
    expect(toLogtoError({ code: 'user_cancelled' })).toMatchObject({ message: 'The user cancelled the action.' });
    expect(toLogtoError({ code: 'id_token.invalid_token', message: '' })).toMatchObject({
      message: 'Invalid ID token',
    });
  });

  it('turns the data of callback_uri_verification.error_found into an OidcError', () => {
    const mapped = toLogtoError(
      nativeRejection('callback_uri_verification.error_found', 'x', {
        error: 'access_denied',
        errorDescription: 'The user denied consent',
      }),
    ) as LogtoError;
    expect(mapped.data).toBeInstanceOf(OidcError);
    expect(mapped.data).toEqual(new OidcError('access_denied', 'The user denied consent'));
    expect(mapped.data).not.toBeInstanceOf(Error);
  });

  it('turns the data of an OAuth request error into an OidcError', () => {
    const mapped = toLogtoError(
      nativeRejection('oidc.invalid_grant', 'grant revoked', { error: 'invalid_grant', error_description: 'gone' }),
    ) as LogtoRequestError;
    expect(mapped.data).toEqual(new OidcError('invalid_grant', 'gone'));
    expect(mapped.message).toBe('grant revoked');
    expect(isLogtoRequestError(mapped)).toBe(true);
  });

  it('maps Capacitor codes and unknown codes to internal, keeping the original', () => {
    for (const code of ['UNIMPLEMENTED', 'UNAVAILABLE', 'something_new']) {
      const original = nativeRejection(code, 'boom');
      const mapped = toLogtoError(original) as LogtoClientError;
      expect(mapped).toBeInstanceOf(LogtoClientError);
      expect(mapped.code).toBe('internal');
      expect(mapped.message).toBe(`${code}: boom`);
      expect(mapped.data).toBe(original);
    }
  });

  it('returns errors without a code and our own errors unchanged', () => {
    const typeError = new TypeError('bad');
    expect(toLogtoError(typeError)).toBe(typeError);
    const own = new LogtoClientError('timeout');
    expect(toLogtoError(own)).toBe(own);
    expect(toLogtoError('text')).toBe('text');
    expect(toLogtoError(undefined)).toBeUndefined();
  });
});

describe('parity with @logto/js and @logto/client', () => {
  it('LogtoError has the @logto/js shape and messages', () => {
    for (const code of [
      'id_token.invalid_iat',
      'id_token.invalid_token',
      'callback_uri_verification.redirect_uri_mismatched',
      'callback_uri_verification.error_found',
      'callback_uri_verification.missing_state',
      'callback_uri_verification.state_mismatched',
      'callback_uri_verification.missing_code',
      'crypto_subtle_unavailable',
      'unexpected_response_error',
    ] as const) {
      const ours = new LogtoError(code, 'data');
      const theirs = new logtoJs.LogtoError(code, 'data');
      expect({ name: ours.name, code: ours.code, message: ours.message, data: ours.data }).toEqual({
        name: theirs.name,
        code: theirs.code,
        message: theirs.message,
        data: theirs.data,
      });
    }
  });

  it('LogtoClientError has the @logto/client shape and messages', async () => {
    const client = await import('@logto/client');
    for (const code of [
      'sign_in_session.invalid',
      'sign_in_session.not_found',
      'not_authenticated',
      'fetch_user_info_failed',
      'user_cancelled',
      'missing_scope_organizations',
    ] as const) {
      const ours = new LogtoClientError(code, 42);
      const theirs = new client.LogtoClientError(code, 42);
      expect([ours.name, ours.code, ours.message, ours.data]).toEqual([
        theirs.name,
        theirs.code,
        theirs.message,
        theirs.data,
      ]);
    }
  });

  it('LogtoRequestError and OidcError have the @logto/js shape', () => {
    const response = { status: 400 };
    const ours = new LogtoRequestError('oidc.invalid_grant', 'Grant not found', response);
    const theirs = new logtoJs.LogtoRequestError('oidc.invalid_grant', 'Grant not found', response as Response);
    expect([ours.name, ours.code, ours.message, ours.cause]).toEqual([
      theirs.name,
      theirs.code,
      theirs.message,
      theirs.cause,
    ]);
    expect({ ...new OidcError('access_denied', 'no') }).toEqual({ ...new logtoJs.OidcError('access_denied', 'no') });
  });
});

describe('the plugin must be registered', () => {
  it('rejects with internal when client.ts is used without the package entry', async () => {
    vi.resetModules();
    const { default: Client } = await import('../src/client');
    const { LogtoClientError: FreshError } = await import('../src/errors');
    const error = await new Client({ endpoint: 'https://e', appId: 'a' }).isAuthenticated().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FreshError);
    expect(error).toMatchObject({ code: 'internal' });
  });
});
