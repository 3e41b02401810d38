#!/usr/bin/env node
// The "system browser" of the demo, and the person in front of it.
//
//   node tools/demo/person.mjs <url>
//
// The desktop example runs this as its browser command (`sh -c '<cmd> "$1"' sh <url>`),
// once with the sign-in URL and once with the end-session URL, each time as a new
// process. It opens the URL in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core; no browser is ever downloaded) with a persistent
// profile, so the IdP's session cookie survives from the sign-in to the sign-out as
// in a real browser, and does what a person would:
//
//   sign-in URL:  on the IdP's page, "Continue with Alipay"; on Alipay, approve;
//                 wait until the browser shows the app's loopback page.
//   end-session URL: let the IdP's logout page submit itself (it is screenshotted
//                 from its HTML as it arrives, in a scratch tab: it is gone too fast
//                 otherwise); wait for the app's page when the URL carries a
//                 post_logout_redirect_uri, else for the IdP's "signed out" page
//                 (what Logto shows when there is no post-logout redirect).
//
// When the IdP shows a sign-in error (e.g. Alipay refused the connector's
// request), the person reads it, takes a screenshot and closes the browser: as
// with Logto, the error stays on the IdP's page and nothing is sent to the app
// (DEMO_ON_ERROR=cancel presses the dev IdP's Cancel button instead, which sends
// error=access_denied to the app; Logto has no such button).
//
// A screenshot of each step goes to $DEMO_SCREENSHOTS (default
// tools/demo/screenshots), numbered across both invocations. Everything this
// script prints goes to stderr: the app's stdout stays clean. Exit status 0 when
// the app's page (or, for a sign-out without redirect, the IdP's "signed out"
// page) was reached, 1 otherwise.
//
// Environment:
//   DEMO_SCREENSHOTS   screenshot directory                    (tools/demo/screenshots)
//   DEMO_PROFILE       Chromium user-data directory            ($TMPDIR/logto-demo-chromium-profile)
//   DEMO_TRACE         append one JSON line per page/step here (off)
//   DEMO_SIGN_IN       alipay | password:<username>:<password> (alipay)
//   DEMO_ALIPAY        approve | deny                          (approve)
//   DEMO_ON_ERROR      close: read the IdP's error and close the browser | cancel: press the
//                      dev IdP's Cancel button (the app then gets error=access_denied) (close)
//   DEMO_CHROMIUM      Chromium executable                     (/usr/bin/chromium)
//   DEMO_TIMEOUT_MS    give up after this long                 (90000)
//
// Two invocations never use the profile at the same time: a lock directory
// (<profile>.lock, with the owner's pid) is held from start to exit; the second
// one waits for the first to close Chromium (which also flushes the cookies).

import {
  appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const env = process.env;
const SCREENSHOTS = resolve(env.DEMO_SCREENSHOTS || join(here, 'screenshots'));
const PROFILE = resolve(env.DEMO_PROFILE || join(tmpdir(), 'logto-demo-chromium-profile'));
const TRACE = env.DEMO_TRACE ? resolve(env.DEMO_TRACE) : undefined;
const SIGN_IN = env.DEMO_SIGN_IN || 'alipay';
const ALIPAY = env.DEMO_ALIPAY || 'approve';
const ON_ERROR = env.DEMO_ON_ERROR === 'cancel' ? 'cancel' : 'close'; // 'stay' (older name) = close
const CHROMIUM = env.DEMO_CHROMIUM || '/usr/bin/chromium';
const TIMEOUT_MS = Number(env.DEMO_TIMEOUT_MS || 90_000);
const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

const say = (line) => process.stderr.write(`[person] ${line}\n`);
const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });
const trace = (entry) => {
  if (TRACE) appendFileSync(TRACE, `${JSON.stringify({ t: Date.now(), pid: process.pid, ...entry })}\n`);
};

// ---- lock -------------------------------------------------------------------

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

async function acquireLock(dir) {
  const lock = `${dir}.lock`;
  const started = Date.now();
  mkdirSync(dirname(lock), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    let pid;
    try {
      pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    } catch { /* being created */ }
    let age = 0;
    try {
      age = Date.now() - statSync(lock).mtimeMs;
    } catch { /* just released */ }
    if ((pid && !alive(pid)) || (!pid && age > 10_000)) {
      say(`removing a stale lock ${lock}`);
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() - started > TIMEOUT_MS) throw new Error(`the browser profile ${dir} stayed locked by pid ${pid}`);
    await sleep(100);
  }
}

// ---- screenshots --------------------------------------------------------------

function nextNumber() {
  let max = 0;
  for (const name of readdirSync(SCREENSHOTS)) {
    const m = /^(\d+)-.*\.png$/.exec(name);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

async function screenshot(page, name) {
  const file = join(SCREENSHOTS, `${String(nextNumber()).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  say(`screenshot ${file}`);
  trace({ event: 'screenshot', name, file, url: page.url() });
  return file;
}

// ---- the person -----------------------------------------------------------------

async function visible(page, selector) {
  return page.locator(selector).first().isVisible().catch(() => false);
}

/** Does something on the page and waits for the next document in the main frame. */
async function andWaitForNextPage(page, action) {
  const next = page.waitForEvent('framenavigated', {
    predicate: (frame) => frame === page.mainFrame(),
    timeout: TIMEOUT_MS,
  });
  await action();
  await next;
  await page.waitForLoadState('load', { timeout: TIMEOUT_MS }).catch(() => {});
}

async function main() {
  const url = process.argv[2];
  if (!url) {
    say('usage: person.mjs <url>');
    process.exit(2);
  }
  const start = new URL(url);
  const kind = start.pathname.endsWith('/session/end') ? 'sign-out' : 'sign-in';
  const appTarget = kind === 'sign-in'
    ? start.searchParams.get('redirect_uri')
    : start.searchParams.get('post_logout_redirect_uri'); // none: the IdP's "signed out" page ends it
  if (kind === 'sign-in' && !appTarget) throw new Error(`no redirect_uri in ${url}`);
  const isAppPage = (u) => {
    if (!appTarget) return false;
    const target = new URL(appTarget);
    const current = new URL(u);
    return current.origin === target.origin && current.pathname === target.pathname;
  };

  mkdirSync(SCREENSHOTS, { recursive: true });
  const release = await acquireLock(PROFILE);
  const onSignal = () => { release(); process.exit(130); };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let context;
  try {
    say(`${kind}: opening ${start.origin}${start.pathname} in headless Chromium (profile ${PROFILE})`);
    context = await chromium.launchPersistentContext(PROFILE, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 480, height: 860 },
      deviceScaleFactor: 1,
      locale: 'en-US',
    });
    const page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) trace({ event: 'page', kind, url: frame.url() });
    });
    // The HTTP status of the document on screen (the IdP answers a failed sign-in with Logto's status).
    let documentStatus;
    page.on('response', (response) => {
      const req = response.request();
      if (req.isNavigationRequest() && req.frame() === page.mainFrame()) documentStatus = response.status();
    });
    const cookies = (await context.cookies()).map((c) => `${c.name}@${c.domain}${c.path}`);
    trace({ event: 'open', kind, url, cookies });

    // The IdP's logout page submits itself as soon as it has loaded, too fast
    // to be looked at. The person reads it as it arrives instead: the end-session
    // response passes through here (unchanged), its HTML tells whether the IdP
    // recognised the browser's session (its logout page) or not (oidc-provider's
    // bare "Submitting Callback" page), and a screenshot of that HTML is taken in
    // a scratch tab with the page's script removed.
    if (kind === 'sign-out') {
      await page.route((u) => u.pathname.endsWith('/session/end'), async (route) => {
        const response = await route.fetch();
        const html = await response.text();
        try {
          const session = html.includes('id="signing-out"');
          say(session
            ? 'the IdP recognised the browser session (its logout page)'
            : 'the IdP found no session in this browser (it still completes the sign-out)');
          trace({ event: 'logout-page', session });
          const scratch = await context.newPage();
          await scratch.setContent(
            html.replace(/\sonload="[^"]*"/g, '').replace(/<script\b[\s\S]*?<\/script>/g, ''),
            { waitUntil: 'load' },
          );
          await screenshot(scratch, 'idp-signing-out');
          await scratch.close();
        } catch (err) {
          say(`could not look at the logout page: ${err.message}`);
        }
        await route.fulfill({ response, body: html });
      });
    }

    await page.goto(url, { waitUntil: 'load', timeout: TIMEOUT_MS });
    const deadline = Date.now() + TIMEOUT_MS;
    let steps = 0;
    let result;
    let cancelled = false;
    while (!result) {
      if (Date.now() > deadline || steps > 20) throw new Error(`gave up on ${page.url()}`);
      steps += 1;
      const current = page.url();

      if (isAppPage(current)) {
        await page.locator('#app-result').waitFor({ timeout: 10_000 }).catch(() => {});
        const text = (await page.locator('#app-result').textContent().catch(() => null)) ?? '(no #app-result)';
        say(`the browser is back in the app: ${text.trim()}`);
        await screenshot(page, cancelled ? 'app-after-cancel' : `app-${kind === 'sign-in' ? 'signed-in' : 'signed-out'}`);
        result = 'app';
        break;
      }

      if (kind === 'sign-out' && !appTarget && await visible(page, '#signed-out')) {
        say(`the IdP says: ${(await page.locator('#signed-out').textContent()).trim()}`);
        await screenshot(page, 'idp-signed-out');
        result = 'idp-signed-out';
        break;
      }

      if (await visible(page, '#sign-in-error')) {
        const message = (await page.locator('#sign-in-error').textContent()).trim();
        say(`the IdP shows an error (HTTP ${documentStatus}): ${message}`);
        trace({
          event: 'idp-error',
          code: await page.locator('#sign-in-error').getAttribute('data-code'),
          message,
          status: documentStatus,
          url: page.url(),
        });
        await screenshot(page, 'idp-sign-in-error');
        if (ON_ERROR !== 'cancel') {
          say('nothing to do on this page for the app: closing the browser');
          result = 'error';
          break;
        }
        say('pressing Cancel');
        cancelled = true;
        await andWaitForNextPage(page, () => page.click('#sign-in-abort'));
        continue;
      }

      if (await visible(page, '#sign-in-title') || await visible(page, '#register-title')) {
        const screen = await visible(page, '#register-title') ? 'register' : 'sign-in';
        await screenshot(page, `idp-${screen}`);
        if (SIGN_IN === 'alipay') {
          say('clicking "Continue with Alipay"');
          await andWaitForNextPage(page, () => page.click('#social-alipay'));
        } else {
          const [, username, password] = SIGN_IN.split(':');
          say(`signing in as ${username} with a password`);
          if (screen === 'register') await andWaitForNextPage(page, () => page.click('#go-sign-in'));
          await page.fill('#username', username);
          await page.fill('#password', password);
          await andWaitForNextPage(page, () => page.click('#sign-in-submit'));
        }
        continue;
      }

      if (await visible(page, '#alipay-approve')) {
        await screenshot(page, 'alipay-authorize');
        const button = ALIPAY === 'deny' ? '#alipay-deny' : '#alipay-approve';
        say(`on Alipay: clicking ${ALIPAY}`);
        await andWaitForNextPage(page, () => page.click(button));
        continue;
      }

      // An OAuth error the IdP answers as JSON (e.g. an unregistered post_logout_redirect_uri): nothing to click.
      const contentType = await page.evaluate(() => document.contentType).catch(() => '');
      if (contentType === 'application/json') {
        const text = (await page.evaluate(() => document.body?.innerText ?? '').catch(() => '')).trim();
        let body;
        try {
          body = JSON.parse(text);
        } catch {
          body = { raw: text.slice(0, 500) };
        }
        say(`the IdP answered HTTP ${documentStatus} with an error: ${text.slice(0, 300)}`);
        trace({ event: 'idp-json-error', status: documentStatus, error: body.error, error_description: body.error_description });
        await screenshot(page, 'idp-error');
        result = 'error';
        break;
      }

      if (await visible(page, '#alipay-error') || await visible(page, '#callback-error')) {
        const selector = await visible(page, '#alipay-error') ? '#alipay-error' : '#callback-error';
        say(`stuck on an error page: ${(await page.locator(selector).textContent()).trim()}`);
        await screenshot(page, 'error-page');
        result = 'error';
        break;
      }

      // Anything else (e.g. the IdP's logout page, which submits itself): wait
      // for the next document.
      say(`waiting on ${new URL(current).origin}${new URL(current).pathname}`);
      await page.waitForURL((u) => u.href !== current, { timeout: Math.max(1, deadline - Date.now()) });
      await page.waitForLoadState('load').catch(() => {});
    }
    trace({ event: 'done', kind, result });
    await context.close();
    context = undefined;
    process.exitCode = result === 'app' || result === 'idp-signed-out' ? 0 : 1;
  } catch (err) {
    say(`failed: ${err.message}`);
    trace({ event: 'failed', kind, message: err.message });
    process.exitCode = 1;
  } finally {
    if (context) await context.close().catch(() => {});
    release();
  }
}

main().catch((err) => {
  say(`failed: ${err.stack ?? err}`);
  process.exit(1);
});
