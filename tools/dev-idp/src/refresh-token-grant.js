// The `refresh_token` grant with Logto's organization tokens (Logto RFC 0001).
//
// Logto does not add a grant type for organization tokens: it overrides the
// `refresh_token` grant so that it accepts an extra `organization_id`
// parameter (logto-io/logto packages/core/src/oidc/grants/refresh-token.ts).
//
// * Without `organization_id` the request is handled by oidc-provider's own,
//   unmodified refresh_token grant handler (rotation, reuse detection, resource
//   indicators: all upstream behaviour).
// * With `organization_id` the organization path below runs. It follows the
//   upstream handler step by step (same checks, same order, same rotation), with
//   Logto's RFC 0001 additions:
//     - the user must be a member of the organization, else 403 access_denied
//       ("user is not a member of the organization");
//     - the refresh token must carry `urn:logto:scope:organizations`, else
//       insufficient_scope (oidc-provider's InsufficientScope, HTTP 403);
//     - the access token is a JWT with aud `urn:logto:organization:<id>` and
//       scope = (requested `scope`, or the refresh token's scopes) ∩ (the
//       user's organization-role scopes).
//   `resource` together with `organization_id` (Logto's "organization-level API
//   resource" tokens) is not emulated and is rejected with invalid_request.
//
// This deep-imports oidc-provider internals (as Logto itself does through its
// `oidc-provider-internals` seam), which is why package.json pins oidc-provider
// to an exact version. DPoP, mTLS and attestation-based client auth are
// disabled in the dev IdP, so the organization path does not implement them.

import { errors } from 'oidc-provider';
import * as upstreamRefresh from 'oidc-provider/lib/actions/grants/refresh_token.js';
import * as grantHelpers from 'oidc-provider/lib/helpers/grants.js';
import {
  checkAccountMismatch,
  createAccessToken,
  issueIdToken,
  validateAccount,
} from 'oidc-provider/lib/helpers/grant_common.js';
import revoke from 'oidc-provider/lib/helpers/revoke.js';
import presence from 'oidc-provider/lib/helpers/validate_presence.js';
import instance from 'oidc-provider/lib/helpers/weak_cache.js';

import { isOrganizationMember, organizationScopesFor } from './accounts.js';

const {
  AccessDenied, InsufficientScope, InvalidGrant, InvalidRequest, InvalidScope,
} = errors;

export const ORGANIZATIONS_SCOPE = 'urn:logto:scope:organizations';
export const ORGANIZATION_URN_PREFIX = 'urn:logto:organization:';

const GTY = 'refresh_token';

function accessDenied(description) {
  const error = new AccessDenied(description);
  error.statusCode = 403; // Logto assigns 403 to these AccessDenied errors
  error.status = 403;
  return error;
}

/**
 * Registers the Logto-flavoured refresh_token grant on the provider, replacing
 * the built-in registration.
 *
 * @param {import('oidc-provider').default} provider
 * @param {object} options
 * @param {string} options.jwtSigningAlg  alg of organization tokens (the provider's signing alg)
 * @param {() => number} options.accessTokenTtl
 * @param {(fn: () => Promise<void>) => Promise<void>} [options.serialise]  the queue refreshes run in
 *   (shared by every provider built on the same storage: see createRefreshQueue)
 * @param {(ctx: object, info: { reused: boolean }) => void} [options.observe]  told, inside the queue and
 *   before processing, whether the presented refresh token had already been consumed
 * @param {(value: string) => boolean | undefined} [options.refreshTokenConsumed]  adapter.refreshTokenConsumed
 */
export function registerRefreshTokenGrant(provider, {
  jwtSigningAlg, accessTokenTtl, serialise = createRefreshQueue(), observe, refreshTokenConsumed,
}) {
  const helpers = Object.fromEntries(
    Object.entries(grantHelpers).map(([name, helper]) => [name, helper.bind(undefined, provider)]),
  );
  const upstreamHandler = upstreamRefresh.handler.bind(undefined, provider, helpers);

  async function organizationHandler(ctx) {
    const { params, client } = ctx.oidc;
    const organizationId = String(params.organization_id);
    const { rotateRefreshToken } = instance(provider).configuration;
    const { RefreshToken } = provider;

    if (params.resource) {
      throw new InvalidRequest('organization-level API resource tokens (resource together with organization_id) are not supported by the dev IdP');
    }

    presence(ctx, 'refresh_token');

    let refreshTokenValue = params.refresh_token;
    let refreshToken = await RefreshToken.find(refreshTokenValue, { ignoreExpiration: true });

    if (!refreshToken) {
      throw new InvalidGrant('refresh token not found');
    }
    if (refreshToken.clientId !== client.clientId) {
      throw new InvalidGrant('client mismatch');
    }
    if (refreshToken.isExpired) {
      throw new InvalidGrant('refresh token is expired');
    }
    if (refreshToken['x5t#S256'] || refreshToken.jkt) {
      throw new InvalidGrant('sender-constrained refresh tokens are not supported by the dev IdP');
    }

    const grant = await helpers.validateGrant(ctx, refreshToken.grantId);

    if (params.scope) {
      const missing = [...ctx.oidc.requestParamScopes].filter((s) => !refreshToken.scopes.has(s));
      if (missing.length !== 0) {
        throw new InvalidScope(`refresh token missing requested ${missing.length === 1 ? 'scope' : 'scopes'}`, missing.join(' '));
      }
    }

    ctx.oidc.entity('RefreshToken', refreshToken);
    ctx.oidc.entity('Grant', grant);

    const account = await validateAccount(provider, ctx, refreshToken, 'refresh token');
    checkAccountMismatch(refreshToken, grant);
    ctx.oidc.entity('Account', account);

    if (refreshToken.consumed) {
      await Promise.all([
        refreshToken.destroy(),
        revoke(ctx, refreshToken.grantId),
      ]);
      throw new InvalidGrant('refresh token already used');
    }

    // === Logto RFC 0001: organization access checks (same order as Logto) ===
    if (!isOrganizationMember(account.accountId, organizationId)) {
      throw accessDenied('user is not a member of the organization');
    }
    if (!refreshToken.scopes.has(ORGANIZATIONS_SCOPE)) {
      throw new InsufficientScope('refresh token missing required scope', ORGANIZATIONS_SCOPE);
    }
    // === end RFC 0001 ===

    if (
      rotateRefreshToken === true
      || (typeof rotateRefreshToken === 'function' && await rotateRefreshToken(ctx))
    ) {
      await refreshToken.consume();
      ctx.oidc.entity('RotatedRefreshToken', refreshToken);

      refreshToken = new RefreshToken({
        accountId: refreshToken.accountId,
        acr: refreshToken.acr,
        amr: refreshToken.amr,
        authTime: refreshToken.authTime,
        claims: refreshToken.claims,
        client,
        expiresWithSession: refreshToken.expiresWithSession,
        iiat: refreshToken.iiat,
        grantId: refreshToken.grantId,
        gty: refreshToken.gty,
        nonce: refreshToken.nonce,
        resource: refreshToken.resource,
        rotations: typeof refreshToken.rotations === 'number' ? refreshToken.rotations + 1 : 1,
        scope: refreshToken.scope,
        sessionUid: refreshToken.sessionUid,
        sid: refreshToken.sid,
        rar: refreshToken.rar,
      });

      if (refreshToken.gty && !refreshToken.gty.endsWith(GTY)) {
        refreshToken.gty = `${refreshToken.gty} ${GTY}`;
      }

      ctx.oidc.entity('RefreshToken', refreshToken);
      refreshTokenValue = await refreshToken.save();
    }

    const at = createAccessToken(provider, ctx, {
      accountId: account.accountId,
      expiresWithSession: refreshToken.expiresWithSession,
      grantId: refreshToken.grantId,
      sessionUid: refreshToken.sessionUid,
      sid: refreshToken.sid,
    }, refreshToken.gty);

    if (at.gty && !at.gty.endsWith(GTY)) {
      at.gty = `${at.gty} ${GTY}`;
    }

    const scope = params.scope ? ctx.oidc.requestParamScopes : refreshToken.scopes;

    // === Logto RFC 0001: the organization token ===
    const audience = `${ORGANIZATION_URN_PREFIX}${organizationId}`;
    const availableScopes = organizationScopesFor(account.accountId, organizationId);
    at.resourceServer = new provider.ResourceServer(audience, {
      audience,
      scope: availableScopes.join(' '),
      accessTokenTTL: accessTokenTtl(),
      accessTokenFormat: 'jwt',
      jwt: { sign: { alg: jwtSigningAlg } },
    });
    at.scope = availableScopes.filter((name) => scope.has(name)).join(' ');
    // === end RFC 0001 ===

    ctx.oidc.entity('AccessToken', at);
    const accessToken = await at.save();

    const idToken = await issueIdToken(provider, ctx, refreshToken, at, grant, scope);

    ctx.body = helpers.buildTokenResponse({
      accessToken,
      expiresIn: at.expiration,
      idToken,
      refreshToken: refreshTokenValue,
      scope: at.scope,
      tokenType: at.tokenType,
    });
  }

  async function refreshTokenHandler(ctx) {
    await serialise(async () => {
      if (observe) {
        const value = ctx.oidc.params.refresh_token;
        observe(ctx, { reused: refreshTokenConsumed?.(typeof value === 'string' ? value : '') === true });
      }
      if (ctx.oidc.params.organization_id) {
        await organizationHandler(ctx);
      } else {
        await upstreamHandler(ctx);
      }
    });
  }

  const parameters = new Set([...upstreamRefresh.parameters, 'resource', 'organization_id']);
  provider.registerGrantType(GTY, refreshTokenHandler, parameters, new Set(['resource']));
}

/**
 * Refresh requests are processed one at a time. With an in-memory store the
 * find → consume sequence of two concurrent requests carrying the same
 * refresh token could interleave; serialising makes reuse detection
 * deterministic: the first request rotates the token, and every later one
 * with the same token is a reuse (tolerated inside the reuse interval, else
 * invalid_grant and the grant revoked). Delays injected before processing
 * (--slow-token-ms, /__dev/faults) happen before this point, so requests still
 * overlap in flight. One queue serves every provider built on the same storage
 * (the provider is rebuilt when the keys are rotated).
 */
export function createRefreshQueue() {
  let queue = Promise.resolve();
  return function serialise(fn) {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };
}
