// Sign-in and consent interactions (Logto serves them outside /oidc).
//
// Seam for richer sign-in pages: everything user-facing goes through
// `renderSignInPage(view)` and the `interactionHandlers` object. Another page
// can be plugged in by passing `renderSignInPage` and/or overriding handlers in
// `createInteractionRoutes({ ..., handlers })`, without touching provider.js.
//
// Routes (the `_interaction` cookie is scoped to /sign-in/<uid> by oidc-provider):
//   GET  /sign-in/:uid                   login prompt: dev_login → auto login;
//                                        direct_sign_in=social:<target> → straight to the provider;
//                                        else the page (first_screen: sign-in or register view;
//                                        ?screen=sign_in|register switches views)
//   POST /sign-in/:uid                   sign-in form (username, password)
//   POST /sign-in/:uid/register          register form (username, password): creates an account
//   POST /sign-in/:uid/abort             user cancels → error=access_denied to the client
//   POST /sign-in/:uid/social/:cid       "Continue with <provider>" → 303 to the provider
//   GET  /callback/:cid                  the provider's redirect (Logto's social callback URI);
//                                        bounces to the interaction's path below
//   GET  /sign-in/:uid/social/:cid/callback
//                                        checks state, asks the connector for the user, finds
//                                        or creates the account, signs in; on failure back to
//                                        the page with the error (as Logto's experience does)
//   GET  /consent/:uid                   consent prompt: always granted automatically
//                                        (a first-party app in Logto)

import {
  createAccount, findAccountByUsername, signInWithSocialIdentity, verifyPassword,
} from './accounts.js';
import { htmlEscape } from './html.js';
import { SocialSignInError } from './social.js';

const FORM_LIMIT = 16 * 1024;

/** Logto's username rule (`usernameRegEx` in @logto/core-kit) and default minimum password length. */
const USERNAME = /^[A-Z_a-z]\w*$/;
const MIN_PASSWORD_LENGTH = 8;

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
 * Logto's `first_screen` (and the deprecated `interaction_mode=signUp`) → the
 * view to show. `register` and `identifier:register` show the register view;
 * everything else (`sign_in`, `identifier:sign_in`, `signIn`, `reset_password`,
 * `single_sign_on`, unknown values) shows the sign-in view: the dev IdP has no
 * password reset or enterprise SSO.
 */
export function resolveScreen(params, requested) {
  if (requested === 'register' || requested === 'sign_in') return requested;
  const first = params.first_screen;
  if (first === 'register' || first === 'identifier:register') return 'register';
  if (first === undefined && params.interaction_mode === 'signUp') return 'register';
  return 'sign_in';
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;min-height:100vh;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"PingFang SC","Noto Sans CJK SC",sans-serif;background:#f3f3f7;color:#191c1d;display:flex;align-items:flex-start;justify-content:center}
main{width:100%;max-width:24rem;margin:3rem 1rem;background:#fff;border-radius:16px;padding:2rem 1.75rem;box-shadow:0 2px 12px rgba(0,0,0,.08)}
.brand{margin:0 0 1.5rem;font-size:.85rem;color:#5d34f2;font-weight:600;letter-spacing:.02em}
h1{margin:0 0 .25rem;font-size:1.5rem}
.sub{margin:0 0 1.25rem;color:#5f6368}
label{display:block;font-size:.85rem;margin:.75rem 0 .3rem;color:#3c4043}
input{display:block;width:100%;padding:.7rem .8rem;font-size:1rem;border:1px solid #c4c7c5;border-radius:10px}
input:focus{outline:2px solid #5d34f2;border-color:transparent}
button{display:block;width:100%;padding:.75rem;font-size:1rem;border-radius:10px;cursor:pointer;margin:1rem 0 0}
.primary{background:#5d34f2;color:#fff;border:0;font-weight:600}
.social{display:flex;align-items:center;justify-content:center;gap:.6rem;background:#fff;border:1px solid #c4c7c5;color:#191c1d;margin-top:.6rem}
.social .logo{display:inline-flex;width:1.6rem;height:1.6rem;border-radius:6px;background:#1677ff;color:#fff;align-items:center;justify-content:center;font-size:1rem;font-weight:700}
.divider{display:flex;align-items:center;gap:.75rem;color:#80868b;font-size:.85rem;margin:1.4rem 0 .4rem}
.divider::before,.divider::after{content:"";flex:1;border-top:1px solid #e0e0e0}
.switch{margin:1.2rem 0 0;font-size:.9rem;color:#5f6368}
.switch a{color:#5d34f2}
.link{background:none;border:0;color:#5f6368;font-size:.9rem;text-decoration:underline;margin-top:.6rem}
.error{background:#fdecea;color:#b00020;border-radius:10px;padding:.7rem .8rem;font-size:.9rem;margin:0 0 .5rem;word-break:break-word}
`;

/**
 * The sign-in page. `view`:
 *   { uid, action, abortAction, registerAction, clientId, clientName, username,
 *     error, errorCode, params, screen ('sign_in' | 'register'),
 *     socialConnectors: [{ id, target, name, action }], signInUrl, registerUrl }
 * Stable element ids for tests and browser automation:
 *   sign-in view:  h1#sign-in-title, form#sign-in-form, input#username,
 *                  input#password, button#sign-in-submit, a#go-register
 *   register view: h1#register-title, form#register-form, input#username,
 *                  input#password, button#register-submit, a#go-sign-in
 *   both:          button#social-<target> (e.g. #social-alipay) in
 *                  form#social-<target>-form, p#sign-in-error (only after a
 *                  failure; data-code = Logto's error code),
 *                  form#sign-in-abort-form with button#sign-in-abort (Cancel),
 *                  main[data-screen].
 */
export function renderSignInPage(view) {
  const screen = view.screen === 'register' ? 'register' : 'sign_in';
  const error = view.error
    ? `<p id="sign-in-error" class="error" role="alert"${view.errorCode ? ` data-code="${htmlEscape(view.errorCode)}"` : ''}>${htmlEscape(view.error)}</p>`
    : '';
  const socials = (view.socialConnectors ?? []).map((c) => `<form id="social-${htmlEscape(c.target)}-form" method="post" action="${htmlEscape(c.action)}">
<button id="social-${htmlEscape(c.target)}" class="social" type="submit"><span class="logo" aria-hidden="true">${c.target === 'alipay' ? '支' : htmlEscape(c.name.slice(0, 1))}</span>Continue with ${htmlEscape(c.name)}</button>
</form>`).join('\n');
  const socialBlock = socials ? `<div class="divider"><span>or</span></div>\n${socials}` : '';
  const client = `<p class="sub">to <strong id="client-name">${htmlEscape(view.clientName ?? view.clientId)}</strong></p>`;

  const body = screen === 'register'
    ? `<h1 id="register-title">Create your account</h1>
${client}
${error}
<form id="register-form" method="post" action="${htmlEscape(view.registerAction)}" autocomplete="off">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocapitalize="none" value="${htmlEscape(view.username ?? '')}" required autofocus>
<label for="password">Password (at least ${MIN_PASSWORD_LENGTH} characters)</label>
<input id="password" name="password" type="password" minlength="${MIN_PASSWORD_LENGTH}" required>
<button id="register-submit" class="primary" type="submit">Create account</button>
</form>
${socialBlock}
<p class="switch">Already have an account? <a id="go-sign-in" href="${htmlEscape(view.signInUrl ?? '')}">Sign in</a></p>`
    : `<h1 id="sign-in-title">Sign in</h1>
${client}
${error}
<form id="sign-in-form" method="post" action="${htmlEscape(view.action)}" autocomplete="off">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocapitalize="none" value="${htmlEscape(view.username ?? '')}" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" required>
<button id="sign-in-submit" class="primary" type="submit">Sign in</button>
</form>
${socialBlock}
${view.registerUrl ? `<p class="switch">No account yet? <a id="go-register" href="${htmlEscape(view.registerUrl)}">Create one</a></p>` : ''}`;

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${screen === 'register' ? 'Create account' : 'Sign in'} – dev IdP</title>
<style>${STYLE}</style>
</head>
<body>
<main data-screen="${screen}">
<p class="brand">Dev IdP · Logto-compatible</p>
${body}
<form id="sign-in-abort-form" method="post" action="${htmlEscape(view.abortAction)}">
<button id="sign-in-abort" class="link" type="submit">Cancel</button>
</form>
</main>
</body>
</html>`;
}

/**
 * Default handlers. Each receives (ctx, env) where env = { provider, details,
 * uid, routeParams, social, log, ui, render(view), finish(result),
 * startSocial(connectorId) } and must produce the Koa response.
 */
export const interactionHandlers = {
  /** GET /sign-in/:uid */
  async showSignIn(ctx, env) {
    const { details, ui } = env;
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

    // Logto's direct sign-in: `social:<target>` goes straight to that social
    // connector, once; an unknown target (or `sso:<id>`: no SSO connectors
    // here) falls back to the first screen.
    const direct = details.params.direct_sign_in;
    if (typeof direct === 'string' && env.social && ui && !ui.directSignInDone) {
      ui.directSignInDone = true;
      const m = /^social:(.+)$/.exec(direct);
      const entry = m ? env.social.findByTarget(m[1]) : undefined;
      if (entry) return env.startSocial(entry.id);
    }

    const flash = ui?.flash;
    if (ui) ui.flash = undefined;
    if (flash) ctx.status = flash.status;
    return env.render({
      screen: resolveScreen(details.params, ctx.query.screen),
      username: details.params.login_hint,
      error: flash?.message,
      errorCode: flash?.code,
    });
  },

  /** POST /sign-in/:uid */
  async submitSignIn(ctx, env) {
    const form = await readForm(ctx);
    const username = form.get('username') ?? '';
    const account = verifyPassword(username, form.get('password') ?? '');
    if (!account) {
      ctx.status = 401;
      return env.render({
        screen: 'sign_in', username, error: 'Invalid username or password.', errorCode: 'session.invalid_credentials',
      });
    }
    return env.finish({ login: { accountId: account.accountId, amr: ['pwd'] } });
  },

  /** POST /sign-in/:uid/register — Logto's username + password sign-up. */
  async register(ctx, env) {
    const form = await readForm(ctx);
    const username = form.get('username') ?? '';
    const password = form.get('password') ?? '';
    const fail = (message, code) => {
      ctx.status = 422;
      return env.render({ screen: 'register', username, error: message, errorCode: code });
    };
    if (!USERNAME.test(username)) {
      return fail('Username should start with a letter or an underscore and contain only letters, digits and underscores.', 'user.invalid_username');
    }
    if (password.length < MIN_PASSWORD_LENGTH) {
      return fail(`Password must be at least ${MIN_PASSWORD_LENGTH} characters.`, 'password.rejected');
    }
    let account;
    try {
      account = createAccount({ username, password, name: null });
    } catch (err) {
      if (err.code === 'user.username_already_in_use') return fail(err.message, err.code);
      throw err;
    }
    env.log(`registered a new account (${account.accountId})`);
    return env.finish({ login: { accountId: account.accountId, amr: ['pwd'] } });
  },

  /** POST /sign-in/:uid/abort */
  async abortSignIn(ctx, env) {
    const failure = env.ui?.lastFailure;
    return env.finish({
      error: 'access_denied',
      error_description: failure
        ? `End-User aborted interaction after a failed sign-in: ${failure}`
        : 'End-User aborted interaction',
    });
  },

  /** POST /sign-in/:uid/social/:connectorId — "Continue with <provider>". */
  async startSocial(ctx, env) {
    const { connectorId } = env.routeParams;
    if (!env.social?.findById(connectorId)) {
      ctx.status = 404;
      ctx.body = { error: 'invalid_request', error_description: `unknown connector ${connectorId}` };
      return undefined;
    }
    return env.startSocial(connectorId);
  },

  /** GET /sign-in/:uid/social/:connectorId/callback */
  async socialCallback(ctx, env) {
    const { connectorId } = env.routeParams;
    const { social, ui } = env;
    try {
      const { userInfo, target } = await social.getUserInfo({
        connectorId,
        uid: env.uid,
        query: Object.fromEntries(new URLSearchParams(ctx.querystring)),
        origin: env.origin,
      });
      const { account, created } = signInWithSocialIdentity(target, userInfo);
      env.log(`social sign-in with ${connectorId}: ${created ? 'registered' : 'found'} account ${account.accountId}`);
      if (ui) ui.lastFailure = undefined;
      return env.finish({ login: { accountId: account.accountId } });
    } catch (err) {
      if (!(err instanceof SocialSignInError)) throw err;
      // Logto's experience shows only the error's phrase (a toast); what the
      // provider answered goes to the server log (social.js), never to the page.
      if (ui) {
        ui.flash = { message: err.message, code: err.code, status: err.status };
        ui.lastFailure = `${err.code}: ${err.message}`;
      }
      ctx.status = 303;
      ctx.redirect(`/sign-in/${env.uid}${ui?.screen === 'register' ? '?screen=register' : ''}`);
      return undefined;
    }
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
  { method: 'POST', pattern: /^\/sign-in\/([\w-]+)\/register$/, handler: 'register', prompt: 'login' },
  {
    method: 'POST', pattern: /^\/sign-in\/([\w-]+)\/social\/([\w-]+)$/, handler: 'startSocial', prompt: 'login', params: ['connectorId'],
  },
  {
    method: 'GET', pattern: /^\/sign-in\/([\w-]+)\/social\/([\w-]+)\/callback$/, handler: 'socialCallback', prompt: 'login', params: ['connectorId'],
  },
  { method: 'GET', pattern: /^\/consent\/([\w-]+)$/, handler: 'consent', prompt: 'consent' },
];

const CALLBACK = /^\/callback\/([\w-]+)$/;

function callbackErrorPage(message) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in link expired – dev IdP</title><style>${STYLE}</style></head>
<body><main><p class="brand">Dev IdP · Logto-compatible</p><h1>Something went wrong</h1>
<p id="callback-error" class="error" role="alert">${htmlEscape(message)}</p></main></body></html>`;
}

/**
 * Koa middleware serving the interaction routes.
 *
 * @param {object} options
 * @param {import('oidc-provider').default} [options.provider]  the provider, or:
 * @param {() => import('oidc-provider').default} [options.getProvider]  the current provider (it is
 *   rebuilt when the signing keys are rotated)
 * @param {(view: object) => string} [options.renderSignInPage]
 * @param {Partial<typeof interactionHandlers>} [options.handlers]
 * @param {ReturnType<import('./social.js').createSocialSignIn>} [options.social]  enabled social connectors
 * @param {string} [options.origin]  the IdP's public origin (social redirect URIs: `${origin}/callback/<id>`)
 * @param {(line: string) => void} [options.log]
 */
export function createInteractionRoutes({
  provider: fixedProvider,
  getProvider = () => fixedProvider,
  renderSignInPage: render = renderSignInPage,
  handlers: overrides = {},
  social,
  origin,
  log = () => {},
}) {
  const handlers = { ...interactionHandlers, ...overrides };

  return async function interactionRoutes(ctx, next) {
    // The social provider's redirect: find the interaction by state and move
    // into its cookie path. An unknown state shows an error page.
    const callback = ctx.method === 'GET' && social ? CALLBACK.exec(ctx.path) : null;
    if (callback) {
      ctx.set('cache-control', 'no-store');
      const record = social.peekState(ctx.query.state, callback[1]);
      if (!record) {
        ctx.status = 400;
        ctx.type = 'html';
        ctx.body = callbackErrorPage('This sign-in link is invalid, already used or expired. Start the sign-in again from the app.');
        return undefined;
      }
      ctx.status = 303;
      ctx.redirect(`/sign-in/${record.uid}/social/${callback[1]}/callback?${ctx.querystring}`);
      return undefined;
    }

    const route = ROUTES.find((r) => r.method === ctx.method && r.pattern.test(ctx.path));
    if (!route) return next();
    const provider = getProvider();
    const match = route.pattern.exec(ctx.path);
    const uid = match[1];
    const routeParams = Object.fromEntries((route.params ?? []).map((name, i) => [name, match[i + 2]]));

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
    const ui = social && route.prompt === 'login' ? social.ui(uid) : undefined;
    const publicOrigin = origin ?? ctx.origin;
    const env = {
      provider,
      details,
      uid,
      routeParams,
      social,
      ui,
      origin: publicOrigin,
      log,
      render(view = {}) {
        const screen = view.screen ?? 'sign_in';
        if (ui) ui.screen = screen;
        ctx.type = 'html';
        ctx.body = render({
          uid,
          action: `/sign-in/${uid}`,
          abortAction: `/sign-in/${uid}/abort`,
          registerAction: `/sign-in/${uid}/register`,
          signInUrl: `/sign-in/${uid}?screen=sign_in`,
          registerUrl: `/sign-in/${uid}?screen=register`,
          clientId: details.params.client_id,
          clientName: client?.clientName,
          params: details.params,
          socialConnectors: (social?.list() ?? []).map((c) => ({ ...c, action: `/sign-in/${uid}/social/${c.id}` })),
          ...view,
          screen,
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
        // Consent keeps the login just submitted (as Logto's consent route does):
        // without it, `prompt=login` would ask for the login again after the
        // consent, for ever.
        const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
          mergeWithLastSubmission: Boolean(result.consent),
        });
        ctx.status = 303;
        ctx.redirect(returnTo);
      },
      async startSocial(connectorId) {
        let uri;
        try {
          uri = await social.authorizationUri({
            connectorId, uid, jti: details.jti, origin: publicOrigin, headers: ctx.headers,
          });
        } catch (err) {
          log(`social sign-in with ${connectorId}: cannot build the authorization URI: ${err.message}`);
          if (ui) ui.flash = { message: `Error occurred in connector: ${err.message}`, code: 'connector.general', status: 500 };
          ctx.status = 303;
          ctx.redirect(`/sign-in/${uid}`);
          return;
        }
        ctx.status = 303;
        ctx.redirect(uri);
      },
    };
    return handlers[route.handler](ctx, env);
  };
}
