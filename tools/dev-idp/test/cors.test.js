// Browser origins: the native client's loopback redirect URIs match any port (RFC 8252 §7.3), so a web build served
// on any loopback port may call the token endpoint; other origins may not.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startIdp } from './helpers.js';

let idp;
before(async () => {
  idp = await startIdp();
});
after(() => idp?.stop());

async function allowedOrigin(origin) {
  const response = await fetch(`${idp.endpoint}/oidc/token`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=refresh_token&client_id=dev-native-app&refresh_token=unknown',
  });
  return response.headers.get('access-control-allow-origin');
}

test('loopback origins on any port are allowed', async () => {
  for (const origin of ['http://127.0.0.1:5173', 'http://127.0.0.1', 'http://[::1]:8100']) {
    assert.equal(await allowedOrigin(origin), origin, origin);
  }
});

test('other origins are refused', async () => {
  for (const origin of ['http://evil.example:5173', 'https://127.0.0.1:5173', 'http://localhost.evil.example', 'null']) {
    assert.equal(await allowedOrigin(origin), null, origin);
  }
});
