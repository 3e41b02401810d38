// The dev IdP is as strict as a real Logto 1.42 (docs/reference: logto-server-facts.md):
// signing-key rotation, exact post_logout_redirect_uri, prompt=none for native
// clients, no refresh token without prompt=consent, the 3 s refresh-token reuse
// leeway and what the request log shows about reuse.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import * as jose from 'jose';

import {
  authorizeUrl, CLIENT_ID, CookieJar, decodeJwtPart, dev, fingerprint, follow, parseLogoutForm, pkce,
  REDIRECT_URI, request, signIn, startIdp, tokenRequest,
} from './helpers.js';

const API = 'https://api.example.com';
const ORG_RESOURCE = 'urn:logto:resource:organizations';
const ORG_SCOPE = 'urn:logto:scope:organizations';
const SCOPE = `openid offline_access profile ${ORG_SCOPE} read:org read:data`;

const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });
const header = (jwt) => decodeJwtPart(jwt, 0);

describe('signing-key rotation like Logto (POST /__dev/rotate-keys)', () => {
  let idp;
  before(async () => {
    idp = await startIdp();
  });
  after(async () => {
    assert.equal(await idp?.stop(), 0);
  });

  const discovery = async () => (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json();
  const jwks = async () => (await fetch(`${idp.issuer}/jwks`)).json();
  const verify = async (jwt, options) => jose.jwtVerify(jwt, jose.createLocalJWKSet(await jwks()), {
    issuer: idp.issuer, ...options,
  });
  const refresh = (refreshToken, extra = {}) => tokenRequest(idp.issuer, {
    grant_type: 'refresh_token', refresh_token: refreshToken, ...extra,
  });

  test('EC → RSA → EC: new key first, one previous key kept, algorithms derived from the keys, old sessions keep working', async () => {
    // Fresh: one EC P-384 key, ES384 only.
    assert.deepEqual((await discovery()).id_token_signing_alg_values_supported, ['ES384']);
    const fresh = await jwks();
    assert.equal(fresh.keys.length, 1);
    const ec1 = fresh.keys[0];
    assert.deepEqual([ec1.kty, ec1.crv, ec1.alg, ec1.use], ['EC', 'P-384', 'ES384', 'sig']);

    // A session from before the rotation: browser cookies, a grant, a refresh token.
    const jar = new CookieJar();
    const before = await signIn(idp.issuer, {
      user: 'alice', jar, scope: SCOPE, resources: [API, ORG_RESOURCE],
    });
    assert.deepEqual(header(before.tokens.id_token), { alg: 'ES384', kid: ec1.kid });

    // Rotate to RSA.
    const rotated = await dev(idp.endpoint, '/__dev/rotate-keys', { method: 'POST', json: { alg: 'RSA' } });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    assert.deepEqual((await discovery()).id_token_signing_alg_values_supported, ['PS256', 'RS256', 'ES384']);
    const afterRsa = await jwks();
    assert.equal(afterRsa.keys.length, 2);
    const [rsa, previous] = afterRsa.keys;
    assert.equal(rsa.kty, 'RSA');
    assert.equal(rsa.alg, undefined, 'an RSA JWK is published without alg (RS256 and PS256 both fit it)');
    assert.ok(!('alg' in rsa));
    assert.equal(rsa.use, 'sig');
    assert.equal(Buffer.from(rsa.n, 'base64url').length * 8, 2048);
    assert.ok(rsa.kid && rsa.kid !== ec1.kid, 'a unique kid');
    assert.deepEqual(previous, ec1, 'the previous key stays published, unchanged');
    for (const key of afterRsa.keys) {
      for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(key[priv], undefined, `no ${priv} in the JWKS`);
    }
    assert.equal(rotated.body.kid, rsa.kid);
    assert.equal(rotated.body.signing_alg, 'RS256');
    assert.deepEqual(rotated.body.id_token_signing_alg_values_supported, ['PS256', 'RS256', 'ES384']);
    assert.deepEqual(rotated.body.keys, afterRsa.keys);

    // The refresh token issued before the rotation still works; what comes back is signed with the new key.
    const r1 = await refresh(before.tokens.refresh_token, { resource: API });
    assert.equal(r1.status, 200, JSON.stringify(r1.body));
    assert.deepEqual(header(r1.body.id_token), { alg: 'RS256', kid: rsa.kid });
    await verify(r1.body.id_token, { audience: CLIENT_ID, algorithms: ['RS256'] });
    assert.deepEqual(header(r1.body.access_token), { alg: 'RS256', typ: 'at+jwt', kid: rsa.kid });
    const at = await verify(r1.body.access_token, { audience: API, algorithms: ['RS256'] });
    assert.equal(at.payload.sub, 'user_alice');
    // An ID token from before the rotation still verifies against the published JWKS.
    await verify(before.tokens.id_token, { audience: CLIENT_ID, algorithms: ['ES384'] });

    // Organization tokens too.
    const org = await refresh(r1.body.refresh_token, { organization_id: 'org-1' });
    assert.equal(org.status, 200, JSON.stringify(org.body));
    assert.equal(header(org.body.access_token).kid, rsa.kid);
    await verify(org.body.access_token, { audience: 'urn:logto:organization:org-1', algorithms: ['RS256'] });

    // The browser session from before the rotation still gives SSO.
    const { verifier, challenge } = pkce();
    const sso = await follow(jar, authorizeUrl(idp.issuer, { challenge }).url);
    assert.ok(sso.callback?.startsWith(`${REDIRECT_URI}?code=`), `SSO after rotation: ${sso.callback ?? sso.url}`);
    const exchanged = await tokenRequest(idp.issuer, {
      grant_type: 'authorization_code',
      code: new URL(sso.callback).searchParams.get('code'),
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    assert.equal(exchanged.status, 200, JSON.stringify(exchanged.body));
    assert.equal(header(exchanged.body.id_token).kid, rsa.kid);

    // Rotate back to EC: the new EC key first, the RSA key kept, the first EC key dropped (Logto keeps one previous key).
    const back = await dev(idp.endpoint, '/__dev/rotate-keys', { method: 'POST', json: { alg: 'EC' } });
    assert.equal(back.status, 200);
    const afterEc = await jwks();
    assert.deepEqual(afterEc.keys.map((k) => k.kty), ['EC', 'RSA']);
    const ec2 = afterEc.keys[0];
    assert.notEqual(ec2.kid, ec1.kid);
    assert.equal(afterEc.keys[1].kid, rsa.kid);
    assert.ok(!afterEc.keys.some((k) => k.kid === ec1.kid), 'the oldest key is no longer published');
    assert.deepEqual((await discovery()).id_token_signing_alg_values_supported, ['ES384', 'PS256', 'RS256']);
    const r2 = await refresh(exchanged.body.refresh_token);
    assert.equal(r2.status, 200, JSON.stringify(r2.body));
    assert.deepEqual(header(r2.body.id_token), { alg: 'ES384', kid: ec2.kid });
    await verify(r2.body.id_token, { audience: CLIENT_ID, algorithms: ['ES384'] });

    // GET /__dev/keys tells the same.
    const keys = await dev(idp.endpoint, '/__dev/keys');
    assert.equal(keys.body.kid, ec2.kid);
    assert.equal(keys.body.signing_alg, 'ES384');
  });

  test('RSA → RSA: the newest RSA key signs', async () => {
    const first = await dev(idp.endpoint, '/__dev/rotate-keys', { method: 'POST', json: { alg: 'RSA' } });
    const second = await dev(idp.endpoint, '/__dev/rotate-keys', { method: 'POST', json: { alg: 'RSA' } });
    assert.notEqual(first.body.kid, second.body.kid);
    assert.deepEqual((await jwks()).keys.map((k) => k.kid), [second.body.kid, first.body.kid]);
    assert.deepEqual((await discovery()).id_token_signing_alg_values_supported, ['PS256', 'RS256']);
    const { tokens } = await signIn(idp.issuer, { user: 'bob' });
    assert.deepEqual(header(tokens.id_token), { alg: 'RS256', kid: second.body.kid });
  });

  test('a bad key type is refused', async () => {
    const res = await dev(idp.endpoint, '/__dev/rotate-keys', { method: 'POST', json: { alg: 'HS256' } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_request');
  });
});

describe('sign-out, prompt=none and refresh tokens like Logto', () => {
  let idp;
  before(async () => {
    idp = await startIdp(['--post-logout-redirect-uri', 'http://127.0.0.1:47001/signed-out']);
  });
  after(async () => {
    assert.equal(await idp?.stop(), 0);
  });

  const endSession = (params) => {
    const url = new URL(`${idp.issuer}/session/end`);
    url.searchParams.set('client_id', CLIENT_ID);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.href;
  };

  test('post_logout_redirect_uri is matched exactly: no loopback port exception', async () => {
    for (const uri of [
      'http://127.0.0.1:45678/callback/sign-out', // the desktop example's old ephemeral-port URI
      'http://127.0.0.1/callback/sign-out',
      'http://127.0.0.1:47002/signed-out', // a registered URI on another port
      'com.example.app://callback/sign-out/', // a trailing slash
    ]) {
      const jar = new CookieJar();
      await signIn(idp.issuer, { user: 'alice', jar });
      const res = await request(jar, endSession({ post_logout_redirect_uri: uri }));
      assert.equal(res.status, 400, uri);
      assert.equal(res.headers.get('location'), null, uri);
      const body = await res.json();
      assert.equal(body.error, 'invalid_request', uri);
      assert.match(body.error_description, /post_logout_redirect_uri/, uri);
    }
    // The registered ones, exactly: the built-in custom scheme and the one given with --post-logout-redirect-uri.
    for (const uri of ['com.example.app://callback/sign-out', 'http://127.0.0.1:47001/signed-out']) {
      const jar = new CookieJar();
      await signIn(idp.issuer, { user: 'alice', jar });
      const { action, fields } = parseLogoutForm(await (await request(jar, endSession({ post_logout_redirect_uri: uri, state: 's1' }))).text());
      const done = await follow(jar, action, { method: 'POST', form: fields });
      assert.equal(done.callback, `${uri}?state=s1`);
    }
  });

  test('a post-logout redirect URI registered at run time (POST /__dev/post-logout-redirect-uris) is matched exactly', async () => {
    const uri = 'http://127.0.0.1:47123/callback/sign-out';
    const refused = await request(new CookieJar(), endSession({ post_logout_redirect_uri: uri }));
    assert.equal(refused.status, 400);
    const registered = await dev(idp.endpoint, '/__dev/post-logout-redirect-uris', { method: 'POST', json: { uri } });
    assert.equal(registered.status, 200);
    assert.ok(registered.body.post_logout_redirect_uris.includes(uri));
    const jar = new CookieJar();
    await signIn(idp.issuer, { user: 'bob', jar });
    const { action, fields } = parseLogoutForm(await (await request(jar, endSession({ post_logout_redirect_uri: uri }))).text());
    assert.equal((await follow(jar, action, { method: 'POST', form: fields })).callback, uri);
    const otherPort = await request(jar, endSession({ post_logout_redirect_uri: 'http://127.0.0.1:47124/callback/sign-out' }));
    assert.equal(otherPort.status, 400);
    const bad = await dev(idp.endpoint, '/__dev/post-logout-redirect-uris', { method: 'POST', json: { uri: 'not a uri' } });
    assert.equal(bad.status, 400);
  });

  test('sign-out without post_logout_redirect_uri ends the session on the IdP\'s own "signed out" page', async () => {
    const jar = new CookieJar();
    await signIn(idp.issuer, { user: 'alice', jar });
    const page = await request(jar, endSession({}));
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /id="signing-out"/, 'the session was recognised');
    const { action, fields } = parseLogoutForm(html);
    const done = await follow(jar, action, { method: 'POST', form: fields });
    assert.equal(done.callback, undefined, 'nothing is redirected to the app');
    assert.equal(done.response.status, 200);
    assert.equal(new URL(done.url).pathname, '/oidc/session/end/success');
    assert.match(await done.response.text(), /id="signed-out"/);
    const again = await follow(jar, authorizeUrl(idp.issuer, { challenge: pkce().challenge }).url);
    assert.equal(again.callback, undefined, 'no SSO after the sign-out');
    assert.match(new URL(again.url).pathname, /^\/sign-in\//);
  });

  test('prompt=none is answered interaction_required for the native app even with a live session; login_required without one', async () => {
    const jar = new CookieJar();
    await signIn(idp.issuer, { user: 'alice', jar });
    // The session is live: without prompt=none the browser goes straight through (SSO).
    assert.ok((await follow(jar, authorizeUrl(idp.issuer, { challenge: pkce().challenge }).url)).callback?.includes('code='));

    const silent = authorizeUrl(idp.issuer, { challenge: pkce().challenge, prompt: 'none' });
    const withSession = new URL((await follow(jar, silent.url)).callback);
    assert.equal(withSession.searchParams.get('error'), 'interaction_required');
    assert.equal(withSession.searchParams.get('error_description'), 'native clients require End-User interaction');
    assert.equal(withSession.searchParams.get('state'), silent.state);
    assert.equal(withSession.searchParams.get('iss'), idp.issuer);
    assert.equal(withSession.searchParams.get('code'), null);

    const fresh = authorizeUrl(idp.issuer, { challenge: pkce().challenge, prompt: 'none' });
    const withoutSession = new URL((await follow(new CookieJar(), fresh.url)).callback);
    assert.equal(withoutSession.searchParams.get('error'), 'login_required');
    assert.equal(withoutSession.searchParams.get('state'), fresh.state);
    assert.equal(withoutSession.searchParams.get('iss'), idp.issuer);
  });

  test('no refresh token unless prompt includes consent (prompt=login alone drops offline_access)', async () => {
    const login = await signIn(idp.issuer, { user: 'alice', scope: 'openid offline_access profile', prompt: 'login' });
    assert.equal(login.tokens.refresh_token, undefined);
    assert.equal(login.tokens.scope, 'openid profile');
    const both = await signIn(idp.issuer, { user: 'alice', scope: 'openid offline_access profile', prompt: 'login consent' });
    assert.ok(both.tokens.refresh_token);
    assert.equal(both.tokens.scope, 'openid offline_access profile');
    const consent = await signIn(idp.issuer, { user: 'alice', scope: 'openid offline_access profile', prompt: 'consent' });
    assert.ok(consent.tokens.refresh_token);
  });
});

describe('refresh-token reuse: tolerated for 3 s (Logto\'s leeway), then the grant is revoked; the log shows every reuse', () => {
  let idp;
  before(async () => {
    idp = await startIdp();
  });
  after(async () => {
    assert.equal(await idp?.stop(), 0);
  });

  const refresh = (refreshToken) => tokenRequest(idp.issuer, { grant_type: 'refresh_token', refresh_token: refreshToken });

  test('the default interval is 3 s', async () => {
    const { tokens } = await signIn(idp.issuer, { user: 'alice', scope: 'openid offline_access' });
    const rt0 = tokens.refresh_token;
    await dev(idp.endpoint, '/__dev/reset', { method: 'POST' });

    const first = await refresh(rt0);
    assert.equal(first.status, 200);
    const rt1 = first.body.refresh_token;
    // Inside the leeway: the consumed token still works (and is rotated again).
    const second = await refresh(rt0);
    assert.equal(second.status, 200, JSON.stringify(second.body));
    const rt2 = second.body.refresh_token;
    assert.notEqual(rt2, rt1);

    let log = (await dev(idp.endpoint, '/__dev/requests')).body;
    assert.deepEqual(log.map((e) => [e.refresh_token_fp, e.reused, e.status, e.issued_refresh_token_fp]), [
      [fingerprint(rt0), false, 200, fingerprint(rt1)],
      [fingerprint(rt0), true, 200, fingerprint(rt2)],
    ]);
    assert.equal((await dev(idp.endpoint, '/__dev/stats')).body.refresh_token_reuse, 1);

    // The leeway runs from the last time the token was consumed. After it, the reuse revokes the whole grant.
    await sleep(3_300);
    const late = await refresh(rt0);
    assert.equal(late.status, 400);
    assert.equal(late.body.error, 'invalid_grant');
    for (const rt of [rt1, rt2]) {
      const dead = await refresh(rt);
      assert.equal(dead.body.error, 'invalid_grant', 'every token of the grant is revoked');
    }
    log = (await dev(idp.endpoint, '/__dev/requests')).body;
    assert.deepEqual(log.slice(2).map((e) => [e.refresh_token_fp, e.reused, e.status]), [
      [fingerprint(rt0), true, 400],
      [fingerprint(rt1), false, 400], // revoked, not consumed: unknown now
      [fingerprint(rt2), false, 400],
    ]);
    assert.equal((await dev(idp.endpoint, '/__dev/stats')).body.refresh_token_reuse, 2);

    // Never a token value in the log or on stderr.
    const everything = JSON.stringify(log) + idp.stderr();
    for (const rt of [rt0, rt1, rt2]) assert.ok(!everything.includes(rt), 'no token value');
  });

  test('an unknown refresh token is not a reuse', async () => {
    await dev(idp.endpoint, '/__dev/reset', { method: 'POST' });
    const res = await refresh('not-a-refresh-token');
    assert.equal(res.body.error, 'invalid_grant');
    const [entry] = (await dev(idp.endpoint, '/__dev/requests')).body;
    assert.deepEqual([entry.refresh_token_fp, entry.reused, entry.status], [fingerprint('not-a-refresh-token'), false, 400]);
  });

  test('--refresh-token-reuse-interval changes the leeway (2 s); each tolerated reuse restarts it, as Logto\'s consumedAt moves', async () => {
    const quick = await startIdp(['--refresh-token-reuse-interval', '2']);
    try {
      const { tokens } = await signIn(quick.issuer, { user: 'alice', scope: 'openid offline_access' });
      const form = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token };
      assert.equal((await tokenRequest(quick.issuer, form)).status, 200); // t0: consumed
      await sleep(1_200);
      assert.equal((await tokenRequest(quick.issuer, form)).status, 200, 'inside 2 s of t0; consumed again');
      await sleep(1_400);
      assert.equal((await tokenRequest(quick.issuer, form)).status, 200, '2.6 s after t0 but 1.4 s after the last use');
      await sleep(2_300);
      assert.equal((await tokenRequest(quick.issuer, form)).body.error, 'invalid_grant', '2.3 s after the last use');
    } finally {
      assert.equal(await quick.stop(), 0);
    }
  });
});
