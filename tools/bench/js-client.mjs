// The flow through @logto/client 3.1.9, the engine under @logto/capacitor, with the adapters @logto/browser and
// @logto/capacitor give it (fetch requester, WebCrypto PKCE, in-memory storage standing in for Capacitor
// Preferences) and its default JWT verifier (jose, remote JWKS). ID tokens are verified as the SDK does it.
//
// Protocol (stdin/stdout, one line each): `run <n>` → runs n flows, answers one JSON line
// {"cpu_us": [...], "wall_us": [...]}: per flow, the CPU time of this process (user + system, all threads;
// process.cpuUsage) and the wall time. The browser stand-in is another process: its CPU is not counted.
import { createInterface } from 'node:readline';

import LogtoClient, { createRequester } from '@logto/client';

import { CLIENT_ID, REDIRECT_URI, RESOURCE, startBrowser } from './flow.mjs';

const endpoint = process.argv[2];
const browser = startBrowser();

// @logto/browser's generators (utils/generators.js), with Node's Buffer for base64url.
const randomString = (length = 64) => Buffer.from(crypto.getRandomValues(new Uint8Array(length))).toString('base64url');
let callback;
const adapter = (storage) => ({
  requester: createRequester(fetch),
  storage: {
    getItem: async (key) => storage.get(key) ?? null,
    setItem: async (key, value) => void storage.set(key, value),
    removeItem: async (key) => void storage.delete(key),
  },
  navigate: async (url) => {
    callback = await browser.signIn(url);
  },
  generateState: () => randomString(),
  generateCodeVerifier: () => randomString(),
  generateCodeChallenge: async (verifier) =>
    Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))).toString('base64url'),
});

async function flow() {
  // 1. a new client
  const client = new LogtoClient(
    { endpoint, appId: CLIENT_ID, resources: [RESOURCE], scopes: ['read:data'] },
    adapter(new Map()),
  );
  // 2–3. the sign-in URL (discovery), the headless sign-in (browser process)
  await client.signIn({ redirectUri: REDIRECT_URI, extraParams: { dev_login: 'alice' } });
  // 4. the callback: code exchange, ID-token verification (JWKS)
  await client.handleSignInCallback(callback);
  // 5. ID-token claims
  const claims = await client.getIdTokenClaims();
  if (claims.sub !== 'user_alice') throw new Error(`sub ${claims.sub}`);
  // 6. the resource's access token (refresh grant; a refreshed ID token is verified)
  const first = await client.getAccessToken(RESOURCE);
  // 7. a forced refresh of that token. @logto/client has no per-token "force": drop the cached entry (clearAccessToken
  // would drop the user-info token too and cost the JS side one more refresh than the Rust side).
  client.accessTokenMap.delete(`@${RESOURCE}`);
  const second = await client.getAccessToken(RESOURCE);
  if (first === second || second.split('.').length !== 3) throw new Error('forced refresh returned the same token');
  // 8. user info (the opaque token from the code exchange)
  const info = await client.fetchUserInfo();
  if (info.sub !== 'user_alice') throw new Error(`userinfo sub ${info.sub}`);
}

for await (const line of createInterface({ input: process.stdin })) {
  const n = Number(line.split(' ')[1]);
  const cpu = [];
  const wall = [];
  for (let i = 0; i < n; i += 1) {
    const c0 = process.cpuUsage();
    const w0 = process.hrtime.bigint();
    await flow();
    const c = process.cpuUsage(c0);
    cpu.push(c.user + c.system);
    wall.push(Number((process.hrtime.bigint() - w0) / 1000n));
  }
  process.stdout.write(`${JSON.stringify({ cpu_us: cpu, wall_us: wall })}\n`);
}
browser.stop();
