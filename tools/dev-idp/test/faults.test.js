// Deterministic fault knobs (/__dev/faults) and /__dev/wait: what race and
// failure tests of the SDK build on. Every assertion is about order and state
// (arrived, processed, answered, consumed), never about how fast something was.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  CLIENT_ID, dev, eventually, fingerprint, signIn, startIdp, tokenRequest,
} from './helpers.js';

describe('fault knobs and /__dev/wait', () => {
  let idp;
  before(async () => {
    idp = await startIdp(['--slow-token-ms', '150']);
  });
  after(async () => {
    assert.equal(await idp?.stop(), 0);
  });

  const faults = (json, method = 'POST') => dev(idp.endpoint, '/__dev/faults', { method, json });
  const clearFaults = () => dev(idp.endpoint, '/__dev/faults', { method: 'DELETE' });
  const reset = () => dev(idp.endpoint, '/__dev/reset', { method: 'POST' });
  const wait = (query) => dev(idp.endpoint, `/__dev/wait?${new URLSearchParams(query)}`);
  const refresh = (refreshToken, { signal } = {}) => fetch(`${idp.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: refreshToken }),
    signal,
  });
  const revoke = (token, { signal } = {}) => fetch(`${idp.issuer}/token/revocation`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, token, token_type_hint: 'refresh_token' }),
    signal,
  });
  const aliceTokens = async () => (await signIn(idp.issuer, { user: 'alice', scope: 'openid offline_access' })).tokens;

  test('--slow-token-ms is the token knob\'s start-up value; DELETE /__dev/faults goes back to it', async () => {
    assert.deepEqual((await faults(undefined, 'GET')).body, { token: { delay_ms: 150 } });
    const set = await faults({ jwks: { status: 503, count: 1 }, token: null });
    assert.deepEqual(set.body, { jwks: { status: 503, count: 1 } });
    assert.deepEqual((await clearFaults()).body, { token: { delay_ms: 150 } });
  });

  test('bad knobs are refused with 400 and change nothing', async () => {
    for (const body of [
      { nope: { delay_ms: 1 } },
      { token: { delay_ms: -1 } },
      { token: { delay: 1 } },
      { jwks: { grant_type: 'refresh_token' } },
      { token: { status: 99 } },
      { revocation: { hang: 'yes' } },
      { token: { count: 0 } },
      [],
    ]) {
      const res = await faults(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error, 'invalid_request');
    }
    assert.deepEqual((await faults(undefined, 'GET')).body, { token: { delay_ms: 150 } });
  });

  test('delay before processing, for one grant type: the request has arrived but the token is not consumed yet', async () => {
    const tokens = await aliceTokens();
    await reset();
    await faults({ token: { delay_ms: 1_500, grant_type: 'refresh_token' } });
    try {
      const pending = refresh(tokens.refresh_token);
      const arrived = await wait({ path: '/oidc/token', grant_type: 'refresh_token', timeout_ms: 5_000 });
      assert.equal(arrived.status, 200);
      assert.equal(arrived.body.matched, 1);
      assert.equal(arrived.body.requests[0].status, null, 'arrived, not processed');
      assert.equal(arrived.body.requests[0].refresh_token_fp, fingerprint(tokens.refresh_token));
      assert.deepEqual(arrived.body.requests[0].fault, { delay_ms: 1_500, grant_type: 'refresh_token' });
      const notYet = await wait({ path: '/oidc/token', processed: 'true', timeout_ms: 200 });
      assert.equal(notYet.status, 408, 'not processed while the delay runs');
      assert.equal(notYet.body.matched, 0);

      // Another grant type is not held: answered while the refresh still waits.
      const other = await tokenRequest(idp.issuer, { grant_type: 'authorization_code', code: 'nope', redirect_uri: 'com.example.app://callback', code_verifier: 'x'.repeat(43) });
      assert.equal(other.body.error, 'invalid_grant');
      const log = (await dev(idp.endpoint, '/__dev/requests')).body;
      assert.deepEqual(log.map((e) => [e.grant_type, e.status, e.fault]), [
        ['refresh_token', null, { delay_ms: 1_500, grant_type: 'refresh_token' }],
        ['authorization_code', 400, undefined],
      ]);

      const answered = await pending;
      assert.equal(answered.status, 200);
      const done = await wait({ path: '/oidc/token', grant_type: 'refresh_token', processed: 'true' });
      assert.equal(done.body.requests[0].status, 200);
    } finally {
      await clearFaults();
    }
  });

  test('delay after processing: the refresh token is rotated at the server while the answer is held; a client that gives up loses it', async () => {
    const tokens = await aliceTokens();
    await reset();
    await faults({ token: { delay_after_ms: 5_000, grant_type: 'refresh_token', count: 1 } });
    const controller = new AbortController();
    const pending = refresh(tokens.refresh_token, { signal: controller.signal }).catch((err) => err);
    const processed = await wait({ path: '/oidc/token', processed: 'true', timeout_ms: 5_000 });
    assert.equal(processed.status, 200);
    const [entry] = processed.body.requests;
    assert.equal(entry.status, 200, 'processed');
    assert.match(entry.issued_refresh_token_fp, /^[0-9a-f]{12}$/, 'a new refresh token was issued');
    controller.abort(); // the client stops waiting
    assert.equal((await pending).name, 'AbortError');
    await eventually(idp.endpoint, (log) => log[0]?.aborted === true);
    assert.deepEqual((await faults(undefined, 'GET')).body, { token: { delay_ms: 150 } }, 'count: 1 cleared the knob');

    // The server did rotate: presenting the token again is a reuse (still inside Logto's 3 s leeway).
    const again = await refresh(tokens.refresh_token);
    assert.equal(again.status, 200);
    const log = (await dev(idp.endpoint, '/__dev/requests')).body;
    assert.deepEqual(log.map((e) => [e.reused, e.status]), [[false, 200], [true, 200]]);
    assert.equal((await dev(idp.endpoint, '/__dev/stats')).body.refresh_token_reuse, 1);
  });

  test('a hanging revocation never answers; closing the connection drops it unprocessed', async () => {
    const tokens = await aliceTokens();
    await reset();
    await faults({ revocation: { hang: true } });
    try {
      const controller = new AbortController();
      const pending = revoke(tokens.refresh_token, { signal: controller.signal }).catch((err) => err);
      const arrived = await wait({ path: '/oidc/token/revocation' });
      assert.equal(arrived.body.requests[0].token_fp, fingerprint(tokens.refresh_token));
      assert.equal((await wait({ path: '/oidc/token/revocation', processed: 'true', timeout_ms: 300 })).status, 408);
      controller.abort();
      assert.equal((await pending).name, 'AbortError');
      const log = await eventually(idp.endpoint, (l) => l[0]?.aborted === true);
      assert.equal(log[0].status, null, 'never processed');
      // The token was not revoked.
      assert.equal((await refresh(tokens.refresh_token)).status, 200);
    } finally {
      await clearFaults();
    }
  });

  test('a hanging revocation is released (processed and answered) when the knob is cleared', async () => {
    const tokens = await aliceTokens();
    await reset();
    await faults({ revocation: { hang: true } });
    const pending = revoke(tokens.refresh_token);
    await wait({ path: '/oidc/token/revocation' });
    assert.equal((await wait({ path: '/oidc/token/revocation', processed: 'true', timeout_ms: 300 })).status, 408);
    await clearFaults();
    assert.equal((await pending).status, 200);
    const dead = await refresh(tokens.refresh_token);
    assert.equal(dead.status, 400, 'revoked once released');
  });

  test('revocation delay: answered after the delay, processed', async () => {
    const tokens = await aliceTokens();
    await reset();
    await faults({ revocation: { delay_ms: 1_000, count: 1 } });
    const pending = revoke(tokens.refresh_token);
    await wait({ path: '/oidc/token/revocation' });
    assert.equal((await wait({ path: '/oidc/token/revocation', processed: 'true', timeout_ms: 200 })).status, 408);
    assert.equal((await pending).status, 200);
    assert.equal((await refresh(tokens.refresh_token)).status, 400);
  });

  test('JWKS and discovery answer a given status for the next N requests', async () => {
    await reset();
    await faults({ jwks: { status: 503, count: 2 }, discovery: { status: 503, count: 1 } });
    assert.equal((await fetch(`${idp.issuer}/jwks`)).status, 503);
    assert.equal((await fetch(`${idp.issuer}/jwks`)).status, 503);
    const jwks = await fetch(`${idp.issuer}/jwks`);
    assert.equal(jwks.status, 200);
    assert.ok((await jwks.json()).keys.length >= 1);
    const broken = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    assert.equal(broken.status, 503);
    assert.equal((await broken.json()).error, 'temporarily_unavailable');
    assert.equal((await fetch(`${idp.issuer}/.well-known/openid-configuration`)).status, 200);
    const log = (await dev(idp.endpoint, '/__dev/requests')).body;
    assert.deepEqual(log.map((e) => [e.path, e.status]), [
      ['/oidc/jwks', 503], ['/oidc/jwks', 503], ['/oidc/jwks', 200],
      ['/oidc/.well-known/openid-configuration', 503], ['/oidc/.well-known/openid-configuration', 200],
    ]);
  });

  test('an injected token-endpoint status does not touch the refresh token; a custom body is sent as given', async () => {
    const tokens = await aliceTokens();
    await reset();
    await faults({ token: { status: 503, grant_type: 'refresh_token', count: 1 } });
    const failed = await refresh(tokens.refresh_token);
    assert.equal(failed.status, 503);
    const ok = await refresh(tokens.refresh_token);
    assert.equal(ok.status, 200);
    const rotated = (await ok.json()).refresh_token;
    const log = (await dev(idp.endpoint, '/__dev/requests')).body;
    assert.deepEqual(log.map((e) => [e.status, e.reused]), [[503, null], [200, false]], 'not consumed by the 503');

    await faults({ token: { status: 400, body: { error: 'invalid_grant', error_description: 'grant request is invalid' }, count: 1 } });
    const custom = await refresh(rotated);
    assert.equal(custom.status, 400);
    assert.deepEqual(await custom.json(), { error: 'invalid_grant', error_description: 'grant request is invalid' });
    await clearFaults();
  });

  test('/__dev/wait: counts, filters, times out with 408', async () => {
    await reset();
    const none = await wait({ path: '/oidc/jwks', timeout_ms: 50 });
    assert.equal(none.status, 408);
    assert.deepEqual(none.body, { matched: 0, requests: [] });
    const waiting = wait({ path: '/oidc/jwks', count: 2, timeout_ms: 5_000 });
    await fetch(`${idp.issuer}/jwks`);
    await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    await fetch(`${idp.issuer}/jwks`);
    const two = await waiting;
    assert.equal(two.status, 200);
    assert.equal(two.body.matched, 2);
    const bad = await wait({ count: 0 });
    assert.equal(bad.status, 400);
  });

  test('/__dev/wait: token_fp picks the revocation of one token', async () => {
    await reset();
    assert.equal((await revoke('token-a')).status, 200);
    const other = await wait({ path: '/oidc/token/revocation', token_fp: fingerprint('token-b'), timeout_ms: 50 });
    assert.equal(other.status, 408);
    const mine = await wait({ path: '/oidc/token/revocation', token_fp: fingerprint('token-a'), processed: true });
    assert.equal(mine.status, 200);
    assert.equal(mine.body.requests[0].token_fp, fingerprint('token-a'));
  });
});
