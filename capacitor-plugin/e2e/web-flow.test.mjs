// End-to-end test of the web platform: the example app (which imports
// logto-native-capacitor by its package name) in headless Chromium against the
// project's dev IdP, through the real redirects, CORS token requests, ID token
// verification, refresh and end-session.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  CLIENT_ID,
  buildExample,
  checkPrerequisites,
  launchChromium,
  startDevIdp,
  startExampleServer,
} from './harness.mjs';

const log = (message) => console.log(`# ${message}`);

describe('web platform end to end (example app + dev IdP + Chromium)', () => {
  let idp;
  let app;
  let browser;

  before(async () => {
    checkPrerequisites();
    await buildExample();
    idp = await startDevIdp();
    log(`dev IdP at ${idp.endpoint}`);
    app = await startExampleServer(idp.endpoint, log);
    log(`example app at ${app.origin}`);
    // Logto matches post_logout_redirect_uri exactly (no loopback-port exception, unlike redirect_uri): the web
    // app's sign-out URI on this run's port must be registered, as a developer registers it in the console.
    const registered = await fetch(`${idp.endpoint}/__dev/post-logout-redirect-uris`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uri: `${app.origin}/callback/sign-out` }),
    });
    if (!registered.ok) throw new Error(`registering the post-logout URI failed: ${registered.status}`);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
    await idp?.stop();
  });

  const openExample = async (extra) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error));
    const query = new URLSearchParams({ endpoint: idp.endpoint, appId: CLIENT_ID });
    if (extra) {
      query.set('extra', extra);
    }
    await page.goto(`${app.origin}/?${query}`);
    await page.waitForSelector('body[data-ready="true"]');
    return { context, page, pageErrors };
  };

  /** Waits until the example app has loaded again after a redirect back to it. */
  const waitForExample = async (page, path) => {
    await page.waitForURL((url) => url.origin === app.origin && (!path || url.pathname === path), { timeout: 30_000 });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  };

  const text = async (page, id) => (await page.textContent(`#${id}`))?.trim() ?? '';

  it('signs in through the IdP form, reads claims and user info, refreshes, and signs out', async () => {
    const { context, page, pageErrors } = await openExample();
    try {
      assert.equal(await text(page, 'is-authenticated'), 'false');
      assert.equal(await text(page, 'claims'), '');
      assert.equal(await text(page, 'sign-in-redirected'), 'false');

      // getOidcConfig: the IdP's discovery document with camelCase keys, as @logto/client returns it.
      await page.click('#show-oidc-config');
      await page.waitForFunction(() => document.getElementById('oidc-config')?.textContent?.includes('issuer'));
      const oidcConfig = JSON.parse(await text(page, 'oidc-config'));
      assert.equal(oidcConfig.issuer, `${idp.endpoint}/oidc`);
      for (const key of ['authorizationEndpoint', 'tokenEndpoint', 'userinfoEndpoint', 'endSessionEndpoint']) {
        assert.match(oidcConfig[key], new RegExp(`^${idp.endpoint}/oidc/`), key);
      }
      assert.match(oidcConfig.revocationEndpoint, new RegExp(`^${idp.endpoint}/oidc/`));
      assert.match(oidcConfig.jwksUri, new RegExp(`^${idp.endpoint}/oidc/`));
      assert.ok(oidcConfig.codeChallengeMethodsSupported.includes('S256'));
      assert.ok(!Object.keys(oidcConfig).some((key) => key.includes('_')), Object.keys(oidcConfig).join());

      await page.click('#sign-in');
      await page.waitForURL((url) => url.origin === idp.endpoint && url.pathname.startsWith('/sign-in/'));
      await page.fill('#username', 'alice');
      await page.fill('#password', 'alice-password');
      await page.click('#sign-in-submit');

      await waitForExample(page, '/');
      assert.equal(await text(page, 'error'), '');
      // The page loaded at /callback?code=…, which isSignInRedirected recognised (then it handled the callback).
      assert.equal(await text(page, 'sign-in-redirected'), 'true');
      assert.equal(await text(page, 'is-authenticated'), 'true');
      const claims = JSON.parse(await text(page, 'claims'));
      assert.equal(typeof claims.sub, 'string');
      assert.ok(claims.sub.length > 0);
      assert.equal(claims.iss, `${idp.endpoint}/oidc`);
      assert.equal(claims.aud, CLIENT_ID);
      assert.match(await text(page, 'events'), /^signedIn$/m);

      await page.click('#fetch-user-info');
      await page.waitForFunction(() => document.getElementById('user-info')?.textContent?.includes('"sub"'));
      assert.equal(JSON.parse(await text(page, 'user-info')).sub, claims.sub);

      await page.click('#refresh-tokens');
      await page.waitForFunction(() => document.getElementById('events')?.textContent?.includes('tokensRefreshed'));
      assert.equal(await text(page, 'error'), '');

      await page.click('#sign-out');
      await waitForExample(page, '/callback/sign-out');
      assert.equal(await text(page, 'is-authenticated'), 'false');
      assert.equal(await text(page, 'claims'), '');
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  it('passes extraParams through (dev_login=alice skips the sign-in page)', async () => {
    const { context, page } = await openExample('dev_login=alice');
    try {
      const visited = [];
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) visited.push(new URL(frame.url()).pathname);
      });
      await page.click('#sign-in');
      // No page of the IdP in between: the example's own URL would match at once, so wait for the page load at the
      // redirect URI (isSignInRedirected is true only there).
      await page.waitForFunction(() => document.getElementById('sign-in-redirected')?.textContent === 'true', null, {
        timeout: 30_000,
      });
      await waitForExample(page, '/');
      assert.equal(await text(page, 'is-authenticated'), 'true');
      assert.ok(JSON.parse(await text(page, 'claims')).sub);
      assert.ok(!visited.some((path) => path.startsWith('/sign-in/')), `sign-in page was shown: ${visited}`);
    } finally {
      await context.close();
    }
  });

  it('reports a cancelled sign-in as LogtoError callback_uri_verification.error_found', async () => {
    const { context, page } = await openExample();
    try {
      await page.click('#sign-in');
      await page.waitForSelector('#sign-in-abort');
      await page.click('#sign-in-abort');
      await waitForExample(page, '/');
      assert.match(await text(page, 'error'), /^LogtoError \[callback_uri_verification\.error_found\]/);
      assert.equal(await text(page, 'is-authenticated'), 'false');
    } finally {
      await context.close();
    }
  });
});
