// The demo's story, asserted: the Rust desktop example (core/examples/desktop.rs, built by test.sh) signs in
// through the dev IdP with Alipay, with tools/demo/person.mjs as the system browser (headless Chromium driven like
// a person). Run by tools/demo/test.sh (which installs and builds first), under the dev IdP's Node 22.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import {
  existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { startIdp } from '../../dev-idp/test/helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const DESKTOP = process.env.DEMO_DESKTOP ?? join(process.env.CARGO_TARGET_DIR ?? join(root, 'target'), 'release/examples/desktop');
const PERSON = join(root, 'tools/demo/person.mjs');
const BROWSER_COMMAND = `'${process.execPath}' '${PERSON}'`;

const ALIPAY_NICK_NAME = '支付宝用户';
const ALIPAY_AVATAR = 'https://tfs.alipayobjects.com/images/partner/T1DevIdpAlipayTester.png';

const work = mkdtempSync(join(tmpdir(), 'logto-demo-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

/** Waits until no person.mjs holds the profile (it closes Chromium after the app's page). */
async function personDone(profile) {
  for (let i = 0; i < 300 && existsSync(`${profile}.lock`); i += 1) await sleep(100);
  assert.ok(!existsSync(`${profile}.lock`), 'person.mjs finished');
}

function readTrace(traceFile) {
  return existsSync(traceFile)
    ? readFileSync(traceFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
    : [];
}

/**
 * Runs the desktop example once with person.mjs as the browser. Returns
 * { status, stdout, stderr, screenshots: [names], trace: [entries], claims? }.
 *
 * `cancelAfterSignInPage`: the person ends the sign-in on the IdP's page (an error there sends nothing to the
 * app, as with Logto) and closes the browser; the example keeps waiting for its redirect, so once the person is
 * done and the example has had a moment to receive anything, the test presses Ctrl-C (SIGINT) in the example.
 */
async function runDesktop(idp, {
  name, args = [], env = {}, profile, cancelAfterSignInPage = false,
} = {}) {
  const dir = join(work, name);
  const screenshots = join(dir, 'screenshots');
  const traceFile = join(dir, 'trace.jsonl');
  const profileDir = profile ?? join(dir, 'chromium-profile');
  const child = spawn(DESKTOP, ['--endpoint', idp.endpoint, '--browser-command', BROWSER_COMMAND, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DEMO_SCREENSHOTS: screenshots,
      DEMO_PROFILE: profileDir,
      DEMO_TRACE: traceFile,
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  // 'exit', not 'close': the browser's helper processes may hold the inherited pipes a little longer.
  const closed = new Promise((r) => { child.on('close', r); });
  const exited = new Promise((r) => { child.on('exit', (code) => r(code)); });
  let stderrBeforeCancel;
  if (cancelAfterSignInPage) {
    const settled = (e) => e.kind === 'sign-in' && (e.event === 'done' || e.event === 'failed');
    for (let i = 0; i < 1_200 && !readTrace(traceFile).some(settled) && child.exitCode === null; i += 1) await sleep(100);
    assert.ok(readTrace(traceFile).some(settled), `the person finished the sign-in page\n${stderr}`);
    await personDone(profileDir);
    await sleep(1_000); // anything the browser sent would have reached the example by now
    stderrBeforeCancel = stderr;
    child.kill('SIGINT'); // the person gives up in the app (a loopback app cannot see the browser closing)
  }
  const status = await exited;
  await personDone(profileDir);
  await Promise.race([closed, sleep(1_000)]);
  const trace = readTrace(traceFile);
  const names = existsSync(screenshots) ? readdirSync(screenshots).sort() : [];
  const result = {
    status, stdout, stderr, screenshots: names, trace, dir, stderrBeforeCancel,
  };
  const lines = stdout.split('\n');
  if (lines[0] === 'isAuthenticated: true' && lines[1] === 'ID token claims:') {
    const end = lines.findIndex((l, i) => i > 1 && l.startsWith('isAuthenticated:'));
    result.claims = JSON.parse(lines.slice(2, end === -1 ? undefined : end).join('\n'));
    result.after = end === -1 ? undefined : lines[end];
  }
  return result;
}

/**
 * A failure at Alipay as Logto shows it: `400 connector.invalid_response` with only Logto's phrase on the IdP's
 * sign-in page, the person stays there, and the app's loopback listener receives nothing; the app ends only when
 * the person cancels in the app (user_cancelled).
 */
function assertFailureStaysAtTheIdp(r) {
  assert.equal(r.status, 1, explain(r));
  assert.equal(r.stdout, '', 'never authenticated');
  const error = r.trace.find((e) => e.event === 'idp-error');
  assert.ok(error, `the IdP showed an error\n${r.stderr}`);
  assert.deepEqual(
    { code: error.code, message: error.message, status: error.status },
    { code: 'connector.invalid_response', message: "The connector's response is invalid.", status: 400 },
  );
  assert.match(new URL(error.url).pathname, /^\/sign-in\/[\w-]+$/, 'on the IdP\'s sign-in page');
  assert.ok(r.screenshots.some((f) => /-idp-sign-in-error\.png$/.test(f)), r.screenshots.join(' '));
  // Nothing reached the app: no page of its origin in the browser, no request at its listener.
  const redirectUri = new URL(new URL(r.trace.find((e) => e.event === 'open' && e.kind === 'sign-in').url).searchParams.get('redirect_uri'));
  const appPages = r.trace.filter((e) => e.event === 'page' && URL.canParse(e.url) && new URL(e.url).origin === redirectUri.origin);
  assert.deepEqual(appPages, [], 'the browser never went to the app');
  assert.doesNotMatch(r.stderrBeforeCancel, /The browser came back to the app/, 'the app received nothing');
  assert.match(r.stderr, /^sign-in failed: user_cancelled: /m);
  assert.equal(r.trace.find((e) => e.event === 'done' && e.kind === 'sign-in')?.result, 'error');
}

const explain = (r) => `exit ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

function alipayKeys() {
  const make = () => generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'der' },
  });
  return { signing: make(), other: make() };
}

describe('the demo: Rust desktop example + headless Chromium + dev IdP with Alipay', () => {
  let idp;
  let alipay;
  let firstSub;

  before(async () => {
    assert.ok(existsSync(DESKTOP), `${DESKTOP} is built (tools/demo/test.sh builds it)`);
    idp = await startIdp([], { stdin: 'pipe' });
    alipay = await (await fetch(`${idp.endpoint}/__dev/alipay`)).json();
  });

  after(async () => {
    await idp?.stop();
  });

  test('sign in with Alipay, print the claims, sign out', async () => {
    const r = await runDesktop(idp, { name: 'full' });
    assert.equal(r.status, 0, explain(r));
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'isAuthenticated: true', explain(r));
    assert.equal(lines[1], 'ID token claims:');
    assert.equal(lines.at(-1), 'isAuthenticated: false');
    assert.equal(r.after, 'isAuthenticated: false');
    assert.match(r.claims.sub, /^[0-9a-z]{12}$/);
    assert.equal(r.claims.name, ALIPAY_NICK_NAME);
    assert.equal(r.claims.picture, ALIPAY_AVATAR);
    assert.equal(r.claims.iss, idp.issuer);
    firstSub = r.claims.sub;

    assert.deepEqual(r.screenshots, [
      '01-idp-sign-in.png',
      '02-alipay-authorize.png',
      '03-app-signed-in.png',
      '04-idp-signing-out.png',
      '05-idp-signed-out.png',
    ], r.stderr);
    // Sign-out without a post-logout redirect (Logto matches it exactly; an ephemeral loopback port cannot be
    // registered): the browser ends on the IdP's own "signed out" page and nothing comes back to the app.
    const signOut = r.trace.find((e) => e.event === 'open' && e.kind === 'sign-out');
    const endSession = new URL(signOut.url);
    assert.equal(endSession.pathname, '/oidc/session/end');
    assert.deepEqual([...endSession.searchParams.keys()], ['client_id']);
    assert.equal(r.trace.find((e) => e.event === 'done' && e.kind === 'sign-out')?.result, 'idp-signed-out');
    assert.equal(new URL(r.trace.filter((e) => e.event === 'page' && e.kind === 'sign-out').at(-1).url).pathname, '/oidc/session/end/success');
    assert.deepEqual(r.stderr.match(/The browser came back to the app: .*/g), ['The browser came back to the app: /callback']);
    for (const file of r.screenshots) {
      const png = readFileSync(join(r.dir, 'screenshots', file));
      assert.equal(png.subarray(1, 4).toString(), 'PNG', file);
    }
    // The browser kept the IdP's session cookie from the sign-in to the sign-out (persistent profile).
    assert.deepEqual(r.trace.filter((e) => e.event === 'logout-page').map((e) => e.session), [true]);
    // The sign-in really went through the IdP's page and Alipay.
    const pages = r.trace.filter((e) => e.event === 'page' && e.kind === 'sign-in').map((e) => new URL(e.url));
    assert.match(pages[0].pathname, /^\/sign-in\//);
    assert.equal(pages[1].origin, alipay.standIn.origin);
  });

  test('a second run finds the same user (the Alipay user_id is linked to it)', async () => {
    const r = await runDesktop(idp, { name: 'second' });
    assert.equal(r.status, 0, explain(r));
    assert.ok(firstSub, 'the first run passed');
    assert.equal(r.claims.sub, firstSub);
    assert.equal(r.claims.name, ALIPAY_NICK_NAME);
  });

  test('direct sign-in (direct_sign_in=social:alipay): the first page after the authorize URL is Alipay', async () => {
    const r = await runDesktop(idp, { name: 'direct', args: ['--direct-sign-in', 'social:alipay'] });
    assert.equal(r.status, 0, explain(r));
    const open = r.trace.find((e) => e.event === 'open' && e.kind === 'sign-in');
    assert.equal(new URL(open.url).searchParams.get('direct_sign_in'), 'social:alipay');
    const first = r.trace.find((e) => e.event === 'page' && e.kind === 'sign-in');
    const firstUrl = new URL(first.url);
    assert.equal(firstUrl.origin, alipay.standIn.origin, `first page: ${first.url}`);
    assert.equal(firstUrl.pathname, '/oauth2/publicAppAuthorize.htm');
    assert.deepEqual(r.screenshots.slice(0, 2), ['01-alipay-authorize.png', '02-app-signed-in.png']);
    assert.equal(r.claims.sub, firstSub);
  });

  test('first_screen=register: the register view comes first; Alipay from there signs in the same user', async () => {
    const r = await runDesktop(idp, { name: 'register', args: ['--first-screen', 'register'] });
    assert.equal(r.status, 0, explain(r));
    assert.equal(r.screenshots[0], '01-idp-register.png');
    assert.equal(r.claims.sub, firstSub);
  });

  test('denying on Alipay: Logto\'s "The connector\'s response is invalid." on the IdP\'s page, nothing reaches the app', async () => {
    const r = await runDesktop(idp, { name: 'deny', env: { DEMO_ALIPAY: 'deny' }, cancelAfterSignInPage: true });
    assertFailureStaysAtTheIdp(r);
    assert.match(idp.stderr(), /connector\.invalid_response \(400\): .*error=access_denied/, 'the detail is in the IdP\'s log only');
  });

  test('(dev IdP only) the Cancel button sends error=access_denied to the app', async () => {
    const r = await runDesktop(idp, { name: 'deny-cancel', env: { DEMO_ALIPAY: 'deny', DEMO_ON_ERROR: 'cancel' } });
    assert.equal(r.status, 1, explain(r));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^sign-in failed: [\w.]+: .*access_denied.*connector\.invalid_response/m);
  });
});

describe('Alipay error responses through the whole app', () => {
  test('bad signature (the IdP signs with a key that does not match the registered public key)', async () => {
    const keys = alipayKeys();
    const config = join(work, 'badsig-config.json');
    const app = join(work, 'badsig-app.json');
    writeFileSync(config, JSON.stringify({
      appId: '2021000000000001', privateKey: keys.signing.privateKey, signType: 'RSA2', charset: 'utf8', scope: 'auth_user',
    }));
    writeFileSync(app, JSON.stringify({ appId: '2021000000000001', publicKey: keys.other.publicKey.toString('base64') }));
    const idp = await startIdp(['--alipay-config', config, '--alipay-app', app], { stdin: 'pipe' });
    try {
      const r = await runDesktop(idp, { name: 'badsig', cancelAfterSignInPage: true });
      assertFailureStaysAtTheIdp(r);
      assert.deepEqual(r.screenshots, ['01-idp-sign-in.png', '02-alipay-authorize.png', '03-idp-sign-in-error.png']);
      assert.match(idp.stderr(), /connector\.invalid_response \(400\): .*isv\.invalid-signature/, 'the detail is in the IdP\'s log only');
    } finally {
      await idp.stop();
    }
  });

  test('wrong app id (the connector\'s appId is not registered on Alipay)', async () => {
    const keys = alipayKeys();
    const config = join(work, 'appid-config.json');
    writeFileSync(config, JSON.stringify({
      appId: '2021000000009999', privateKey: keys.signing.privateKey, signType: 'RSA2',
    }));
    const app = join(work, 'appid-app.json');
    writeFileSync(app, JSON.stringify({ appId: '2021000000000001', publicKey: keys.signing.publicKey.toString('base64') }));
    const idp = await startIdp(['--alipay-config', config, '--alipay-app', app], { stdin: 'pipe' });
    try {
      const r = await runDesktop(idp, { name: 'appid', cancelAfterSignInPage: true });
      assertFailureStaysAtTheIdp(r);
      assert.match(idp.stderr(), /connector\.invalid_response \(400\): .*isv\.invalid-app-id/);
    } finally {
      await idp.stop();
    }
  });
});
