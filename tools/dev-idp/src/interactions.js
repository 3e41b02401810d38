// Sign-in and consent interactions (Logto serves them outside /oidc).
//
// Seam for richer sign-in pages: everything user-facing goes through
// `renderSignInPage(view)` and the `interactionHandlers` object. Another page
// (social buttons, etc.) can be plugged in by passing `renderSignInPage` and/or
// overriding handlers in `createInteractionRoutes({ ..., handlers })`, without
// touching provider.js.
//
// Routes (the `_interaction` cookie is scoped to these paths by oidc-provider):
//   GET  /sign-in/:uid         login prompt: dev_login → auto login; else the HTML form
//   POST /sign-in/:uid         form submit (username, password)
//   POST /sign-in/:uid/abort   user cancels → error=access_denied to the client
//   GET  /consent/:uid         consent prompt: always granted automatically
//                              (a first-party app in Logto)

import { findAccountByUsername, verifyPassword } from './accounts.js';
import { htmlEscape } from './html.js';

const FORM_LIMIT = 16 * 1024;

/**
 * Signing in as another account than the browser session's: oidc-provider's
 * resume step would answer with an auto-submitting logout form (a browser posts
 * it silently; a headless client following redirects would get stuck there).
 * The dev IdP ends the previous session server-side instead, with the same
 * effect as that logout: non-offline grants of the session are revoked, grants
 * with offline_access persist (pitfall 8 in the reference), the session is gone.
 */
async function endPreviousSession(provider, interaction) {
  const session = await provider.Session.findByUid(interaction.session.uid);
  if (session) {
    for (const { grantId, persistsLogout } of Object.values(session.authorizations ?? {})) {
      if (grantId && !persistsLogout) {
        await Promise.all([provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode]
          .map((model) => model.revokeByGrantId(grantId)));
        await provider.Grant.adapter.destroy(grantId);
      }
    }
    await session.destroy();
  }
  delete interaction.session;
  await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
}

/** Reads an application/x-www-form-urlencoded body (small). */
async function readForm(ctx) {
  if (!ctx.is('application/x-www-form-urlencoded')) return new URLSearchParams();
  const chunks = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += chunk.length;
    if (size > FORM_LIMIT) ctx.throw(413, 'form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * The minimal sign-in page. `view`:
 *   { uid, action, abortAction, clientId, clientName, username, error, params }
 * Stable element ids for tests and browser automation:
 *   form#sign-in-form, input#username, input#password, button#sign-in-submit,
 *   p#sign-in-error (only on a failed attempt), button#sign-in-abort.
 */
export function renderSignInPage(view) {
  const error = view.error
    ? `<p id="sign-in-error" role="alert" style="color:#b00020">${htmlEscape(view.error)}</p>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in – dev IdP</title>
<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:3rem auto;padding:0 1rem}
label,input,button{display:block;width:100%;box-sizing:border-box;margin:.3rem 0}
input,button{padding:.5rem;font-size:1rem}</style>
</head>
<body>
<h1>Sign in</h1>
<p>to <strong id="client-name">${htmlEscape(view.clientName ?? view.clientId)}</strong></p>
${error}
<form id="sign-in-form" method="post" action="${htmlEscape(view.action)}" autocomplete="off">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocapitalize="none" value="${htmlEscape(view.username ?? '')}" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" required>
<button id="sign-in-submit" type="submit">Sign in</button>
</form>
<form id="sign-in-abort-form" method="post" action="${htmlEscape(view.abortAction)}">
<button id="sign-in-abort" type="submit">Cancel</button>
</form>
</body>
</html>`;
}

/**
 * Default handlers. Each receives (ctx, env) where env = { provider, render,
 * finish(result), details } and must produce the Koa response.
 */
export const interactionHandlers = {
  /** GET /sign-in/:uid */
  async showSignIn(ctx, env) {
    const { details } = env;
    const devLogin = details.params.dev_login;
    if (devLogin !== undefined) {
      const account = findAccountByUsername(devLogin);
      if (!account) {
        return env.finish({
          error: 'access_denied',
          error_description: 'dev_login names an unknown account',
        });
      }
      return env.finish({ login: { accountId: account.accountId, amr: ['pwd'] } });
    }
    return env.render({ username: details.params.login_hint });
  },

  /** POST /sign-in/:uid */
  async submitSignIn(ctx, env) {
    const form = await readForm(ctx);
    const username = form.get('username') ?? '';
    const account = verifyPassword(username, form.get('password') ?? '');
    if (!account) {
      ctx.status = 401;
      return env.render({ username, error: 'Invalid username or password.' });
    }
    return env.finish({ login: { accountId: account.accountId, amr: ['pwd'] } });
  },

  /** POST /sign-in/:uid/abort */
  async abortSignIn(ctx, env) {
    return env.finish({
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    });
  },

  /** GET /consent/:uid — Logto auto-consents for first-party apps. */
  async consent(ctx, env) {
    const { provider, details } = env;
    const { prompt, params, session, grantId } = details;
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    if (missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    const savedGrantId = await grant.save();
    return env.finish({ consent: { grantId: savedGrantId } });
  },
};

const ROUTES = [
  { method: 'GET', pattern: /^\/sign-in\/([\w-]+)$/, handler: 'showSignIn', prompt: 'login' },
  { method: 'POST', pattern: /^\/sign-in\/([\w-]+)$/, handler: 'submitSignIn', prompt: 'login' },
  { method: 'POST', pattern: /^\/sign-in\/([\w-]+)\/abort$/, handler: 'abortSignIn', prompt: 'login' },
  { method: 'GET', pattern: /^\/consent\/([\w-]+)$/, handler: 'consent', prompt: 'consent' },
];

/**
 * Koa middleware serving the interaction routes.
 *
 * @param {object} options
 * @param {import('oidc-provider').default} options.provider
 * @param {(view: object) => string} [options.renderSignInPage]
 * @param {Partial<typeof interactionHandlers>} [options.handlers]
 */
export function createInteractionRoutes({
  provider,
  renderSignInPage: render = renderSignInPage,
  handlers: overrides = {},
}) {
  const handlers = { ...interactionHandlers, ...overrides };

  return async function interactionRoutes(ctx, next) {
    const route = ROUTES.find((r) => r.method === ctx.method && r.pattern.test(ctx.path));
    if (!route) return next();
    const uid = route.pattern.exec(ctx.path)[1];

    ctx.set('cache-control', 'no-store');

    let details;
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res);
    } catch (err) {
      ctx.status = 400;
      ctx.body = {
        error: 'invalid_request',
        error_description: `interaction not found or expired (${err.error_description ?? err.message})`,
      };
      return undefined;
    }
    if (details.uid !== uid) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'interaction uid mismatch' };
      return undefined;
    }
    if (details.prompt.name !== route.prompt) {
      ctx.status = 400;
      ctx.body = {
        error: 'invalid_request',
        error_description: `interaction is waiting for the ${details.prompt.name} prompt`,
      };
      return undefined;
    }

    const client = await provider.Client.find(details.params.client_id);
    const env = {
      provider,
      details,
      render(view = {}) {
        ctx.type = 'html';
        ctx.body = render({
          uid,
          action: `/sign-in/${uid}`,
          abortAction: `/sign-in/${uid}/abort`,
          clientId: details.params.client_id,
          clientName: client?.clientName,
          params: details.params,
          ...view,
        });
      },
      async finish(result) {
        if (
          result.login
          && details.session?.accountId
          && details.session.accountId !== result.login.accountId
        ) {
          await endPreviousSession(provider, details);
        }
        const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
          mergeWithLastSubmission: false,
        });
        ctx.status = 303;
        ctx.redirect(returnTo);
      },
    };
    return handlers[route.handler](ctx, env);
  };
}
