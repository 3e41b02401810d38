// oidc-provider 9 configured as a Logto look-alike.
//
// What mirrors Logto (logto-io/logto packages/core/src/oidc/init.ts):
// issuer `<origin>/oidc` with default routes, the signing keys and algorithm
// of keys.js (EC P-384 / ES384 when fresh, rotatable to RSA), features
// userinfo/revocation/introspection/rpInitiatedLogout (auto-submitting logout
// page)/resourceIndicators, devInteractions and DPoP off, JSON errors,
// `useGrantedResource: () => false`, JWT access tokens for API resources,
// conformIdTokenClaims false, refresh tokens only with offline_access (and
// oidc-provider drops offline_access unless `prompt` includes `consent`),
// rotation for public clients, PKCE required for public clients (S256 only),
// interactions outside /oidc (/sign-in, /consent), Logto's error body shape,
// `prompt=none` refused for native clients (oidc-provider's
// `native_client_prompt` check: interaction_required), and
// post_logout_redirect_uri matched exactly (the loopback any-port rule of RFC
// 8252 applies to redirect_uri only, as in Logto).
//
// A provider is built once per key set: server.js rebuilds it when the keys
// are rotated, around the same storage adapter (keys.js, adapter.js).

import Provider, { errors, interactionPolicy } from 'oidc-provider';

import {
  claimsFor, findAccountById, findAccountByUsername, ORGANIZATION_SCOPES, SCOPE_CLAIMS,
} from './accounts.js';
import { ENABLED_SIGNING_ALGS } from './keys.js';
import { registerRefreshTokenGrant } from './refresh-token-grant.js';

export const CLIENT_ID = 'dev-native-app';
export const API_RESOURCE = 'https://api.example.com';
export const API_SCOPES = Object.freeze(['read:data', 'write:data']);
export const ORGANIZATIONS_RESOURCE = 'urn:logto:resource:organizations';

/** Logto's reserved/user scopes (`@logto/core-kit` ReservedScope + UserScope). */
export const OIDC_SCOPES = Object.freeze([
  'openid',
  'offline_access',
  ...Object.keys(SCOPE_CLAIMS).filter((s) => s !== 'openid'),
]);

/** Logto's extra authorization parameters (ExtraParamsKey) plus the dev-only `dev_login`. */
export const EXTRA_PARAMS = Object.freeze([
  'dev_login',
  'interaction_mode',
  'first_screen',
  'direct_sign_in',
  'organization_id',
  'identifier',
  'one_time_token',
  'google_one_tap_credential',
]);

export const CLIENT = Object.freeze({
  client_id: CLIENT_ID,
  client_name: 'Dev Native App',
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: [
    'com.example.app://callback',
    'http://127.0.0.1/callback',
    'http://[::1]/callback',
  ],
  // Matched exactly (no loopback port exception): a desktop app on an ephemeral
  // port registers a fixed URI (--post-logout-redirect-uri, or
  // POST /__dev/post-logout-redirect-uris) or signs out without one.
  post_logout_redirect_uris: [
    'com.example.app://callback/sign-out',
  ],
});

const DAY = 24 * 60 * 60;

/**
 * Logto's logout page: the confirm form submits itself on load with logout=yes.
 * Headless clients: GET end_session, then POST every hidden input of the form
 * with id "op.logoutForm" (xsrf + logout=yes) to its action URL, with the
 * session cookie; the answer is a 303 to the post_logout_redirect_uri.
 */
function logoutSource(ctx, form) {
  const formWithConsent = form.replace(
    '</form>',
    '<input type="hidden" name="logout" value="yes"/></form>',
  );
  ctx.type = 'html';
  ctx.set('cache-control', 'no-store');
  ctx.body = `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Signing out…</title>
<style>body{margin:0;font-family:system-ui,sans-serif;background:#f3f3f7;color:#191c1d;display:flex;justify-content:center}
main{margin:3rem 1rem;background:#fff;border-radius:16px;padding:2rem 1.75rem;box-shadow:0 2px 12px rgba(0,0,0,.08);max-width:24rem;width:100%}</style></head>
<body onload="document.getElementById('op.logoutForm').submit()">
<main><h1 id="signing-out">Signing out…</h1><p>You are being signed out of the dev IdP and sent back to the app.</p></main>
${formWithConsent}
<noscript><button type="submit" form="op.logoutForm" id="sign-out-submit">Sign out</button></noscript>
</body>
</html>`;
}

/** What Logto shows after a sign-out without post_logout_redirect_uri (its post-logout page). */
function postLogoutSuccessSource(ctx) {
  ctx.type = 'html';
  ctx.set('cache-control', 'no-store');
  ctx.body = `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Signed out</title>
<style>body{margin:0;font-family:system-ui,sans-serif;background:#f3f3f7;color:#191c1d;display:flex;justify-content:center}
main{margin:3rem 1rem;background:#fff;border-radius:16px;padding:2rem 1.75rem;box-shadow:0 2px 12px rgba(0,0,0,.08);max-width:24rem;width:100%}</style></head>
<body><main><h1 id="signed-out">You have been signed out.</h1><p>You can close this window.</p></main></body>
</html>`;
}

function isLoopbackHost(hostname) {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/** JSON error rendering, as Logto does (renderError only runs when the OP cannot redirect). */
function renderError(ctx, out) {
  ctx.type = 'json';
  ctx.body = out;
}

/** Logto error URIs (koa-oidc-error-handler.ts). */
const ERROR_URIS = { invalid_grant: 'https://openid.sh/debug/invalid_grant' };

/**
 * Logto's koa-oidc-error-handler: every OIDC JSON error body gains
 * `code` ("oidc.<error>" or "session.not_found"), `message` and, for some
 * errors, `error_uri`; `?parse_error=false` keeps the raw body.
 */
async function logtoErrorBody(ctx, next) {
  await next();
  const { body } = ctx;
  if (
    ctx.status >= 400
    && body && typeof body === 'object' && !Buffer.isBuffer(body)
    && typeof body.error === 'string'
    && ctx.query.parse_error !== 'false'
  ) {
    const description = typeof body.error_description === 'string' ? body.error_description : undefined;
    const sessionNotFound = (description?.includes('session') && description.includes('not found'))
      || description?.includes('authorization request has expired');
    const code = sessionNotFound ? 'session.not_found' : `oidc.${body.error}`;
    ctx.body = {
      code,
      message: description ?? body.error,
      ...(ERROR_URIS[body.error] ? { error_uri: ERROR_URIS[body.error] } : {}),
      ...body,
    };
  }
}

/**
 * Builds the provider.
 *
 * @param {object} options
 * @param {string} options.issuer  e.g. http://127.0.0.1:3001/oidc
 * @param {object[]} options.signingKeys  private JWKs, the current key first (keys.js)
 * @param {string} options.signingAlg  the alg ID tokens and JWT access tokens are signed with
 * @param {string[]} [options.postLogoutRedirectUris]  registered in addition to CLIENT's
 * @param {Function} options.Adapter  the storage adapter class (shared by every provider built)
 * @param {(fn: () => Promise<void>) => Promise<void>} options.serialiseRefresh  shared refresh queue
 * @param {(ctx: object, info: { reused: boolean }) => void} [options.observeRefresh]  see refresh-token-grant.js
 * @param {(value: string) => boolean | undefined} [options.refreshTokenConsumed]  the adapter's
 * @param {string[]} options.cookieKeys  cookie signing keys (also set on the outer Koa app)
 * @param {number} options.accessTokenTtl
 * @param {number} options.idTokenTtl
 * @param {number} options.refreshTokenTtl
 * @param {number} options.clockTolerance
 * @param {(line: string) => void} options.log  stderr logger (never pass secrets)
 */
export function createProvider({
  issuer,
  signingKeys,
  signingAlg,
  postLogoutRedirectUris = [],
  Adapter,
  serialiseRefresh,
  observeRefresh,
  refreshTokenConsumed,
  cookieKeys,
  accessTokenTtl,
  idTokenTtl,
  refreshTokenTtl,
  clockTolerance,
  log,
}) {
  const client = {
    ...CLIENT,
    post_logout_redirect_uris: [...new Set([...CLIENT.post_logout_redirect_uris, ...postLogoutRedirectUris])],
    id_token_signed_response_alg: signingAlg,
  };

  const policy = interactionPolicy.base();
  // Dev-only: `dev_login=<username>` naming someone else than the session's
  // account forces a new login (otherwise SSO would silently keep the old user).
  policy.get('login').checks.add(new interactionPolicy.Check(
    'dev_login_account_mismatch',
    'dev_login names another account than the current session',
    (ctx) => {
      const { oidc } = ctx;
      const requested = oidc.params.dev_login;
      if (!requested || !oidc.session.accountId || oidc.result?.login) {
        return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      }
      const account = findAccountByUsername(requested);
      return account?.accountId === oidc.session.accountId
        ? interactionPolicy.Check.NO_NEED_TO_PROMPT
        : interactionPolicy.Check.REQUEST_PROMPT;
    },
  ));

  const jwtResourceServer = (audience, scope) => ({
    audience,
    scope,
    accessTokenTTL: accessTokenTtl,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: signingAlg } },
  });

  const configuration = {
    adapter: Adapter,
    clients: [client],
    jwks: { keys: signingKeys },
    cookies: {
      // The outer Koa app must use the same keys (koa-mount shares its ctx).
      keys: cookieKeys,
    },
    claims: SCOPE_CLAIMS,
    scopes: OIDC_SCOPES,
    extraParams: EXTRA_PARAMS,
    conformIdTokenClaims: false,
    clockTolerance,
    responseTypes: ['code id_token', 'code', 'id_token', 'none'],
    enabledJWA: {
      authorizationSigningAlgValues: [...ENABLED_SIGNING_ALGS],
      userinfoSigningAlgValues: [...ENABLED_SIGNING_ALGS],
      idTokenSigningAlgValues: [...ENABLED_SIGNING_ALGS],
      introspectionSigningAlgValues: [...ENABLED_SIGNING_ALGS],
    },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      id_token_signed_response_alg: signingAlg,
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    },
    pkce: {
      // Logto: PKCE for every client except client_secret_basic ones (S256 only in oidc-provider 9).
      required: (_ctx, client) => client.clientAuthMethod !== 'client_secret_basic',
    },
    features: {
      devInteractions: { enabled: false },
      dPoP: { enabled: false },
      userinfo: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      pushedAuthorizationRequests: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => undefined,
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx, indicator) => {
          if (indicator === API_RESOURCE) {
            return jwtResourceServer(API_RESOURCE, API_SCOPES.join(' '));
          }
          if (indicator === ORGANIZATIONS_RESOURCE) {
            return jwtResourceServer(ORGANIZATIONS_RESOURCE, ORGANIZATION_SCOPES.join(' '));
          }
          throw new errors.InvalidTarget();
        },
      },
    },
    async findAccount(_ctx, sub) {
      const account = findAccountById(sub);
      if (!account) return undefined;
      return {
        accountId: account.accountId,
        async claims(use) {
          return claimsFor(account, use);
        },
      };
    },
    async issueRefreshToken(_ctx, client, code) {
      return client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access');
    },
    rotateRefreshToken(ctx) {
      const { RefreshToken: refreshToken, Client: client } = ctx.oidc.entities;
      // Logto: at most one year of total lifetime, then no more rotation.
      if (refreshToken.totalLifetime() >= 365.25 * DAY) return false;
      // Public clients that are not sender-constrained always rotate.
      if (client.clientAuthMethod === 'none' && !refreshToken.isSenderConstrained()) return true;
      return refreshToken.ttlPercentagePassed() >= 70;
    },
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: idTokenTtl,
      RefreshToken: refreshTokenTtl,
      Interaction: 60 * 60,
      Session: 14 * DAY,
      Grant: 180 * DAY,
    },
    interactions: {
      policy,
      url(_ctx, interaction) {
        return interaction.prompt.name === 'login'
          ? `/sign-in/${interaction.uid}`
          : `/consent/${interaction.uid}`;
      },
    },
    // oidc-provider compares browser origins exactly with the redirect URIs' origins, but a native (or web-dev)
    // client's loopback redirect URIs match any port (RFC 8252 §7.3), so its loopback origins must too: a web
    // build served on http://127.0.0.1:<any port> may call the token endpoint, like Logto allows for dev origins.
    clientBasedCORS(_ctx, origin, client) {
      const originUrl = URL.parse(origin);
      if (!originUrl) return false;
      const sameOrigin = (uri) => {
        const u = URL.parse(uri);
        if (!u || u.protocol !== originUrl.protocol || u.hostname !== originUrl.hostname) return false;
        return u.port === originUrl.port || (isLoopbackHost(u.hostname) && u.protocol === 'http:');
      };
      return (client.redirectUris ?? []).some(sameOrigin);
    },
    renderError,
  };

  const provider = new Provider(issuer, configuration);
  provider.proxy = false;

  // Logto: post_logout_redirect_uri is compared exactly. oidc-provider applies
  // the native-client loopback rule (any port) to it as well; Logto's
  // measured behaviour does not, so neither does the dev IdP.
  provider.Client.prototype.postLogoutRedirectUriAllowed = function postLogoutRedirectUriAllowed(value) {
    return this.postLogoutRedirectUris.includes(value);
  };

  registerRefreshTokenGrant(provider, {
    jwtSigningAlg: signingAlg,
    accessTokenTtl: () => accessTokenTtl,
    serialise: serialiseRefresh,
    observe: observeRefresh,
    refreshTokenConsumed,
  });

  provider.use(logtoErrorBody);

  // Errors only: descriptions never contain token values.
  for (const event of ['server_error']) {
    provider.on(event, (_ctx, err) => log(`${event}: ${err?.stack ?? err}`));
  }
  for (const event of ['grant.error', 'authorization.error', 'end_session.error', 'revocation.error', 'userinfo.error', 'introspection.error']) {
    provider.on(event, (ctx, err) => {
      log(`${event}: ${err?.error ?? err?.name}${err?.error_description ? ` (${err.error_description})` : ''} on ${ctx?.method} ${ctx?.path}`);
    });
  }

  return provider;
}
