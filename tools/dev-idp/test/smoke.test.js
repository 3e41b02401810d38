// Smoke test of the dev IdP: starts bin/dev-idp on a free port and drives it
// over HTTP like the SDK's end-to-end tests do. Run with `npm test` (Node 22).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import * as jose from 'jose';

import {
  authorizeUrl, CLIENT_ID, CookieJar, decodeJwtPart, fingerprint, follow, parseLogoutForm, pkce,
  BIN, REDIRECT_URI, request, signIn, startIdp, tokenRequest,
} from './helpers.js';

const API = 'https://api.example.com';
const ORG_RESOURCE = 'urn:logto:resource:organizations';
const ORG_SCOPE = 'urn:logto:scope:organizations';
const FULL_SCOPE = [
  'openid', 'offline_access', 'profile', 'email', 'phone', 'roles', 'custom_data', 'identities',
  ORG_SCOPE, 'urn:logto:scope:organization_roles', 'read:data', 'write:data', 'read:org', 'write:org',
].join(' ');

describe('dev-idp', () => {
  let idp;
  let issuer;
  let discovery;
  let jwks;

  before(async () => {
    idp = await startIdp();
    issuer = idp.issuer;
  });

  after(async () => {
    const code = await idp?.stop();
    assert.equal(code, 0, `dev-idp should exit 0 on SIGTERM, stderr:\n${idp?.stderr()}`);
    assert.deepEqual(idp.stdoutLines.length, 1, 'exactly one stdout line');
  });

  const refresh = (refreshToken, extra = {}) => tokenRequest(issuer, {
    grant_type: 'refresh_token', refresh_token: refreshToken, ...extra,
  });

  const verifyJwt = (jwt, options) => jose.jwtVerify(jwt, jwks, {
    issuer, algorithms: ['ES384'], clockTolerance: 0, ...options,
  });

  test('discovery document is Logto-shaped', async () => {
    const res = await fetch(`${issuer}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    discovery = await res.json();
    assert.equal(discovery.issuer, issuer);
    assert.match(issuer, /^http:\/\/127\.0\.0\.1:\d+\/oidc$/);
    for (const [key, path] of Object.entries({
      authorization_endpoint: '/auth',
      token_endpoint: '/token',
      userinfo_endpoint: '/me',
      end_session_endpoint: '/session/end',
      revocation_endpoint: '/token/revocation',
      introspection_endpoint: '/token/introspection',
      jwks_uri: '/jwks',
    })) {
      assert.equal(discovery[key], `${issuer}${path}`, key);
    }
    assert.ok(discovery.id_token_signing_alg_values_supported.includes('ES384'));
    assert.deepEqual(discovery.code_challenge_methods_supported, ['S256']);
    assert.equal(discovery.authorization_response_iss_parameter_supported, true);
    assert.ok(discovery.scopes_supported.includes(ORG_SCOPE));
    assert.equal(discovery.dpop_signing_alg_values_supported, undefined, 'DPoP disabled');

    const keys = await (await fetch(discovery.jwks_uri)).json();
    assert.equal(keys.keys.length, 1);
    assert.equal(keys.keys[0].crv, 'P-384');
    assert.equal(keys.keys[0].alg, 'ES384');
    assert.ok(keys.keys[0].kid);
    assert.equal(keys.keys[0].d, undefined, 'no private material in JWKS');
    jwks = jose.createLocalJWKSet(keys);
  });

  test('headless sign-in, tokens, userinfo, refresh, resource and organization tokens, revocation', async () => {
    const jar = new CookieJar();
    const { verifier, challenge } = pkce();
    const { url, state } = authorizeUrl(issuer, {
      scope: FULL_SCOPE, resources: [API, ORG_RESOURCE], devLogin: 'alice', challenge,
    });
    const { callback } = await follow(jar, url);
    assert.ok(callback?.startsWith(`${REDIRECT_URI}?`), `callback: ${callback}`);
    const cb = new URL(callback);
    assert.equal(cb.searchParams.get('state'), state);
    assert.equal(cb.searchParams.get('iss'), issuer, 'RFC 9207 iss');
    const code = cb.searchParams.get('code');
    assert.ok(code);

    // wrong verifier first would revoke nothing; use the right one
    const exchange = await tokenRequest(issuer, {
      grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier,
    });
    assert.equal(exchange.status, 200, JSON.stringify(exchange.body));
    const tokens = exchange.body;
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.expires_in, 3600);
    assert.ok(tokens.refresh_token);
    assert.equal(tokens.access_token.split('.').length, 1, 'opaque userinfo access token');

    // ES384 ID token, Logto claims (scope claims in the ID token, no custom_data)
    const { payload: idt, protectedHeader } = await verifyJwt(tokens.id_token, { audience: CLIENT_ID });
    assert.equal(protectedHeader.alg, 'ES384');
    assert.equal(idt.sub, 'user_alice');
    assert.equal(idt.name, 'Alice Example');
    assert.equal(idt.username, 'alice');
    assert.equal(idt.email, 'alice@example.com');
    assert.equal(idt.email_verified, true);
    assert.deepEqual(idt.roles, ['admin']);
    assert.deepEqual(idt.organizations, ['org-1']);
    assert.deepEqual(idt.organization_roles, ['org-1:admin']);
    assert.equal(idt.custom_data, undefined);
    assert.equal(idt.exp - idt.iat, 3600);

    // userinfo
    const me = await fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(me.status, 200);
    const userinfo = await me.json();
    assert.equal(userinfo.sub, 'user_alice');
    assert.deepEqual(userinfo.custom_data, { plan: 'pro' });
    assert.ok(userinfo.identities);
    assert.equal(userinfo.phone_number, '15555550100');

    // code replay → invalid_grant (and grant revoked): use a separate login below instead
    // refresh: rotated
    const r1 = await refresh(tokens.refresh_token);
    assert.equal(r1.status, 200, JSON.stringify(r1.body));
    assert.notEqual(r1.body.refresh_token, tokens.refresh_token, 'rotated');
    assert.ok(r1.body.id_token);

    // resource JWT
    const r2 = await refresh(r1.body.refresh_token, { resource: API });
    assert.equal(r2.status, 200, JSON.stringify(r2.body));
    const at = await verifyJwt(r2.body.access_token, { audience: API, typ: 'at+jwt' });
    assert.equal(at.payload.scope, 'read:data write:data');
    assert.equal(at.payload.sub, 'user_alice');
    assert.equal(at.payload.client_id, CLIENT_ID);
    assert.equal(r2.body.scope, 'read:data write:data');

    // organization token
    const r3 = await refresh(r2.body.refresh_token, { organization_id: 'org-1' });
    assert.equal(r3.status, 200, JSON.stringify(r3.body));
    const orgAt = await verifyJwt(r3.body.access_token, { audience: 'urn:logto:organization:org-1', typ: 'at+jwt' });
    assert.equal(orgAt.payload.scope, 'read:org write:org');
    assert.equal(orgAt.payload.sub, 'user_alice');
    assert.notEqual(r3.body.refresh_token, r2.body.refresh_token, 'org token rotates too');

    // organization scope narrowing via `scope`
    const r3b = await refresh(r3.body.refresh_token, { organization_id: 'org-1', scope: 'read:org' });
    assert.equal(r3b.status, 200, JSON.stringify(r3b.body));
    assert.equal(decodeJwtPart(r3b.body.access_token, 1).scope, 'read:org');

    // not a member
    const r4 = await refresh(r3b.body.refresh_token, { organization_id: 'org-404' });
    assert.equal(r4.status, 403);
    assert.equal(r4.body.error, 'access_denied');
    assert.equal(r4.body.code, 'oidc.access_denied');

    // the RT was not consumed by the failed org request: revoke it
    const rev = await fetch(`${issuer}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: CLIENT_ID, token: r3b.body.refresh_token, token_type_hint: 'refresh_token' }),
    });
    assert.equal(rev.status, 200);
    const r5 = await refresh(r3b.body.refresh_token);
    assert.equal(r5.status, 400);
    assert.equal(r5.body.error, 'invalid_grant');
    assert.equal(r5.body.code, 'oidc.invalid_grant');
    assert.equal(r5.body.error_uri, 'https://openid.sh/debug/invalid_grant');
  });

  test('non-member gets 403 access_denied for an organization token', async () => {
    const { tokens } = await signIn(issuer, { user: 'bob', scope: `openid offline_access profile ${ORG_SCOPE}`, resources: [ORG_RESOURCE] });
    const idt = decodeJwtPart(tokens.id_token, 1);
    assert.equal(idt.sub, 'user_bob');
    assert.equal(idt.picture, null);
    assert.deepEqual(idt.organizations, []);
    const res = await refresh(tokens.refresh_token, { organization_id: 'org-1' });
    assert.equal(res.status, 403);
    assert.equal(res.body.error, 'access_denied');
  });

  test('organization token needs urn:logto:scope:organizations', async () => {
    const { tokens } = await signIn(issuer, { user: 'alice', scope: 'openid offline_access profile' });
    const res = await refresh(tokens.refresh_token, { organization_id: 'org-1' });
    assert.equal(res.body.error, 'insufficient_scope');
    assert.equal(res.status, 403);
  });

  test('no refresh token without prompt=consent; PKCE is required', async () => {
    const { tokens } = await signIn(issuer, { user: 'alice', scope: 'openid offline_access', prompt: null });
    assert.equal(tokens.refresh_token, undefined);
    assert.equal(tokens.scope, 'openid');

    const { url } = authorizeUrl(issuer, { devLogin: 'alice' }); // no code_challenge
    const { callback } = await follow(new CookieJar(), url);
    const cb = new URL(callback);
    assert.equal(cb.searchParams.get('error'), 'invalid_request');
    assert.equal(cb.searchParams.get('iss'), issuer);
  });

  test('loopback redirect URIs accept any port; unknown redirect URI is a JSON error', async () => {
    const { callback } = await signIn(issuer, { user: 'alice', redirectUri: 'http://127.0.0.1:51234/callback' });
    assert.equal(callback.origin, 'http://127.0.0.1:51234');
    const ipv6 = await signIn(issuer, { user: 'alice', redirectUri: 'http://[::1]:40000/callback' });
    assert.equal(ipv6.callback.host, '[::1]:40000');

    const { url } = authorizeUrl(issuer, { devLogin: 'alice', challenge: pkce().challenge, redirectUri: 'http://localhost:1234/callback' });
    const res = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html' } });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type'), /json/);
    assert.equal((await res.json()).error, 'invalid_redirect_uri');
  });

  test('unknown dev_login ends with error=access_denied at the redirect URI', async () => {
    const { url } = authorizeUrl(issuer, { devLogin: 'mallory', challenge: pkce().challenge });
    const cb = new URL((await follow(new CookieJar(), url)).callback);
    assert.equal(cb.searchParams.get('error'), 'access_denied');
  });

  test('SSO via the session cookie; prompt=login forces a new login', async () => {
    const jar = new CookieJar();
    await signIn(issuer, { user: 'alice', jar });
    // no dev_login, no prompt=login: SSO, consent is automatic
    const sso = authorizeUrl(issuer, { challenge: pkce().challenge });
    const { callback } = await follow(jar, sso.url);
    assert.ok(callback?.startsWith(REDIRECT_URI), 'SSO reached the app without a login page');
    // prompt=login: the sign-in page again
    const forced = authorizeUrl(issuer, { challenge: pkce().challenge, prompt: 'login consent' });
    const page = await follow(jar, forced.url);
    assert.equal(page.callback, undefined);
    assert.equal(page.response.status, 200);
    assert.match(new URL(page.url).pathname, /^\/sign-in\//);
    // dev_login naming another user than the session's also forces a login
    const other = await signIn(issuer, { user: 'bob', jar });
    assert.equal(decodeJwtPart(other.tokens.id_token, 1).sub, 'user_bob');
  });

  test('HTML sign-in form: wrong password shows an error, right password signs in', async () => {
    const jar = new CookieJar();
    const { verifier, challenge } = pkce();
    const { url, state } = authorizeUrl(issuer, { challenge, extra: { login_hint: 'alice' } });
    const page = await follow(jar, url);
    assert.equal(page.response.status, 200);
    const html = await page.response.text();
    for (const id of ['username', 'password', 'sign-in-submit']) {
      assert.match(html, new RegExp(`id="${id}"`), id);
    }
    assert.match(html, /id="username"[^>]*value="alice"/, 'login_hint prefills the username');
    const action = new URL(/<form id="sign-in-form" method="post" action="([^"]+)"/.exec(html)[1], page.url).href;

    const wrong = await request(jar, action, { method: 'POST', form: { username: 'alice', password: 'nope' } });
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /id="sign-in-error"/);

    const ok = await follow(jar, action, { method: 'POST', form: { username: 'alice', password: 'alice-password' } });
    const cb = new URL(ok.callback);
    assert.equal(cb.searchParams.get('state'), state);
    const exchange = await tokenRequest(issuer, {
      grant_type: 'authorization_code', code: cb.searchParams.get('code'), redirect_uri: REDIRECT_URI, code_verifier: verifier,
    });
    assert.equal(exchange.status, 200);
    assert.equal(decodeJwtPart(exchange.body.id_token, 1).sub, 'user_alice');
  });

  test('cancelling the sign-in page returns error=access_denied', async () => {
    const jar = new CookieJar();
    const { url } = authorizeUrl(issuer, { challenge: pkce().challenge });
    const page = await follow(jar, url);
    const html = await page.response.text();
    const abort = new URL(/<form id="sign-in-abort-form" method="post" action="([^"]+)"/.exec(html)[1], page.url).href;
    const res = await follow(jar, abort, { method: 'POST' });
    assert.equal(new URL(res.callback).searchParams.get('error'), 'access_denied');
  });

  test('RP-initiated logout: GET end_session, POST the auto-submit form, land on post_logout_redirect_uri', async () => {
    const jar = new CookieJar();
    await signIn(issuer, { user: 'alice', jar });
    const endSession = new URL(discovery.end_session_endpoint);
    endSession.searchParams.set('client_id', CLIENT_ID);
    endSession.searchParams.set('post_logout_redirect_uri', 'com.example.app://callback/sign-out');
    endSession.searchParams.set('state', 'bye');
    const page = await request(jar, endSession.href);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /onload="document\.getElementById\('op\.logoutForm'\)\.submit\(\)"/);
    const { action, fields } = parseLogoutForm(html);
    assert.equal(fields.logout, 'yes');
    assert.ok(fields.xsrf);
    const done = await follow(jar, action, { method: 'POST', form: fields });
    assert.equal(done.callback, 'com.example.app://callback/sign-out?state=bye');

    // without a session the registered URI works too (oidc-provider's bare auto-submitting page)
    const noSession = new URL(discovery.end_session_endpoint);
    noSession.searchParams.set('client_id', CLIENT_ID);
    noSession.searchParams.set('post_logout_redirect_uri', 'com.example.app://callback/sign-out');
    const jar2 = new CookieJar();
    const form2 = parseLogoutForm(await (await request(jar2, noSession.href)).text());
    const done2 = await follow(jar2, form2.action, { method: 'POST', form: form2.fields });
    assert.equal(done2.callback, 'com.example.app://callback/sign-out');

    // the session is gone: no SSO any more
    const again = await follow(jar, authorizeUrl(issuer, { challenge: pkce().challenge }).url);
    assert.equal(again.callback, undefined);
    assert.match(new URL(again.url).pathname, /^\/sign-in\//);
  });

  test('/__dev/requests and /__dev/stats', async () => {
    const { tokens } = await signIn(issuer, { user: 'alice', scope: `openid offline_access ${ORG_SCOPE} read:org`, resources: [ORG_RESOURCE] });
    assert.equal((await fetch(`${idp.endpoint}/__dev/reset`, { method: 'POST' })).status, 204);
    await refresh(tokens.refresh_token, { organization_id: 'org-1' });
    const requests = await (await fetch(`${idp.endpoint}/__dev/requests`)).json();
    assert.deepEqual(requests, [{
      method: 'POST',
      path: '/oidc/token',
      grant_type: 'refresh_token',
      organization_id: 'org-1',
      refresh_token_fp: fingerprint(tokens.refresh_token),
      reused: false,
      status: 200,
      issued_refresh_token_fp: requests[0].issued_refresh_token_fp,
    }]);
    assert.match(requests[0].issued_refresh_token_fp, /^[0-9a-f]{12}$/);
    assert.notEqual(requests[0].issued_refresh_token_fp, requests[0].refresh_token_fp);
    await fetch(`${issuer}/.well-known/openid-configuration`);
    const stats = await (await fetch(`${idp.endpoint}/__dev/stats`)).json();
    assert.equal(stats.total, 2);
    assert.equal(stats.by_path['/oidc/token'], 1);
    assert.equal(stats.by_path['/oidc/.well-known/openid-configuration'], 1);
    assert.deepEqual(stats.by_grant_type, { refresh_token: 1 });
    assert.equal(stats.refresh_token_reuse, 0);
    assert.doesNotMatch(JSON.stringify(requests), new RegExp(tokens.refresh_token));
    assert.doesNotMatch(idp.stderr(), new RegExp(tokens.refresh_token), 'no token in logs');
  });
});

describe('dev-idp options', { concurrency: true }, () => {
  test('runs on Node 22', () => {
    assert.match(process.versions.node, /^22\./);
  });

  test('--refresh-token-ttl and --id-token-ttl', async () => {
    const idp = await startIdp(['--refresh-token-ttl', '2', '--id-token-ttl', '120']);
    try {
      const { tokens } = await signIn(idp.issuer, { user: 'bob' });
      const idt = decodeJwtPart(tokens.id_token, 1);
      assert.equal(idt.exp - idt.iat, 120);
      await new Promise((r) => { setTimeout(r, 2100); });
      const res = await tokenRequest(idp.issuer, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
      assert.equal(res.body.error, 'invalid_grant', 'refresh token expired');
    } finally {
      assert.equal(await idp.stop(), 0);
    }
  });

  test('usage errors exit 2', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(BIN, ['--port', 'abc'], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /--port/);
  });

  test('short access token TTL, --slow-token-ms, --exit-on-stdin-close', async () => {
    const idp = await startIdp(['--access-token-ttl', '2', '--slow-token-ms', '300', '--exit-on-stdin-close'], { stdin: 'pipe' });
    try {
      const { tokens } = await signIn(idp.issuer, { user: 'alice' });
      assert.equal(tokens.expires_in, 2);
      const me = () => fetch(`${idp.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal((await me()).status, 200);
      await new Promise((r) => { setTimeout(r, 2100); });
      assert.equal((await me()).status, 401, 'expired exactly after the TTL (clock tolerance 0)');

      const started = Date.now();
      const refreshed = await tokenRequest(idp.issuer, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
      assert.equal(refreshed.status, 200);
      assert.ok(Date.now() - started >= 300, 'token endpoint delayed');
      const me2 = await fetch(`${idp.issuer}/me`, { headers: { authorization: `Bearer ${refreshed.body.access_token}` } });
      assert.equal(me2.status, 200);
    } finally {
      const exited = new Promise((resolve) => { idp.child.once('exit', (code) => resolve(code)); });
      idp.child.stdin.end();
      assert.equal(await exited, 0, 'exits when stdin closes');
    }
  });
});

describe('dev-idp --refresh-token-reuse-interval 0 (strict: any reuse revokes the grant)', () => {
  let strict;
  before(async () => {
    strict = await startIdp(['--refresh-token-reuse-interval', '0']);
  });
  after(async () => {
    assert.equal(await strict?.stop(), 0);
  });
  const strictRefresh = (refreshToken) => tokenRequest(strict.issuer, {
    grant_type: 'refresh_token', refresh_token: refreshToken,
  });

  test('reuse of a rotated refresh token revokes the grant; code replay fails', async () => {
    const jar = new CookieJar();
    const { verifier, challenge } = pkce();
    const { url } = authorizeUrl(strict.issuer, { scope: 'openid offline_access', devLogin: 'alice', challenge });
    const code = new URL((await follow(jar, url)).callback).searchParams.get('code');
    const form = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier };
    const first = await tokenRequest(strict.issuer, form);
    assert.equal(first.status, 200);
    const replay = await tokenRequest(strict.issuer, form);
    assert.equal(replay.body.error, 'invalid_grant');

    const { tokens } = await signIn(strict.issuer, { user: 'alice', scope: 'openid offline_access' });
    const rotated = await strictRefresh(tokens.refresh_token);
    assert.equal(rotated.status, 200);
    const reuse = await strictRefresh(tokens.refresh_token);
    assert.equal(reuse.body.error, 'invalid_grant');
    const newest = await strictRefresh(rotated.body.refresh_token);
    assert.equal(newest.body.error, 'invalid_grant', 'the whole grant is revoked');
  });

  test('concurrent refreshes with one refresh token: exactly one wins, then the grant is revoked', async () => {
    const { tokens } = await signIn(strict.issuer, { user: 'alice', scope: 'openid offline_access' });
    const results = await Promise.all(Array.from({ length: 5 }, () => strictRefresh(tokens.refresh_token)));
    const ok = results.filter((r) => r.status === 200);
    assert.equal(ok.length, 1, JSON.stringify(results.map((r) => r.status)));
    for (const r of results.filter((x) => x.status !== 200)) assert.equal(r.body.error, 'invalid_grant');
    const afterwards = await strictRefresh(ok[0].body.refresh_token);
    assert.equal(afterwards.body.error, 'invalid_grant', 'reuse revoked the grant');
  });

});
