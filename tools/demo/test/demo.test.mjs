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

/**
 * Runs the desktop example once with person.mjs as the browser. Returns
 * { status, stdout, stderr, screenshots: [names], trace: [entries], claims? }.
 */
async function runDesktop(idp, { name, args = [], env = {}, profile } = {}) {
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
  const status = await new Promise((r) => { child.on('exit', (code) => r(code)); });
  await personDone(profileDir);
  await Promise.race([closed, sleep(1_000)]);
  const trace = existsSync(traceFile)
    ? readFileSync(traceFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
    : [];
  const names = existsSync(screenshots) ? readdirSync(screenshots).sort() : [];
  const result = {
    status, stdout, stderr, screenshots: names, trace, dir,
  };
  const lines = stdout.split('\n');
  if (lines[0] === 'isAuthenticated: true' && lines[1] === 'ID token claims:') {
    const end = lines.findIndex((l, i) => i > 1 && l.startsWith('isAuthenticated:'));
    result.claims = JSON.parse(lines.slice(2, end === -1 ? undefined : end).join('\n'));
    result.after = end === -1 ? undefined : lines[end];
  }
  return result;
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
      '05-app-signed-out.png',
    ], r.stderr);
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

  test('denying on Alipay is a clear sign-in failure in the app', async () => {
    const r = await runDesktop(idp, { name: 'deny', env: { DEMO_ALIPAY: 'deny' } });
    assert.equal(r.status, 1, explain(r));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^sign-in failed: [\w.]+: .*access_denied.*connector\.invalid_response/m);
    const error = r.trace.find((e) => e.event === 'idp-error');
    assert.equal(error.code, 'connector.invalid_response');
    assert.match(error.message, /error=access_denied/);
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
      const r = await runDesktop(idp, { name: 'badsig' });
      assert.equal(r.status, 1, explain(r));
      assert.equal(r.stdout, '', 'never authenticated');
      assert.match(r.stderr, /^sign-in failed: [\w.]+: .*access_denied.*isv\.invalid-signature/m);
      const error = r.trace.find((e) => e.event === 'idp-error');
      assert.equal(error.code, 'connector.invalid_response');
      assert.match(error.message, /isv\.invalid-signature/);
      assert.ok(r.screenshots.includes('03-idp-sign-in-error.png'), r.screenshots.join(' '));
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
      const r = await runDesktop(idp, { name: 'appid' });
      assert.equal(r.status, 1, explain(r));
      assert.match(r.stderr, /^sign-in failed: [\w.]+: .*access_denied.*isv\.invalid-app-id/m);
    } finally {
      await idp.stop();
    }
  });
});
