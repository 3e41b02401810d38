// Alipay (Web) sign-in through Logto's unmodified connector and the local
// Alipay stand-in, over HTTP (no browser needed: none of these pages needs
// JavaScript). The browser + Rust desktop app version is tools/demo/test.sh.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import {
  ALIPAY_NICK_NAME, ALIPAY_USER_ID, alipayConfig, alipaySignIn, approveOnAlipay, clickAlipay, errorText,
  exchange, finishAtIdp, jsonFile, parseForm, rsaKeyPair, startAuthorization,
} from './alipay-helpers.js';
import {
  BIN, CookieJar, decodeJwtPart, follow, request, startIdp,
} from './helpers.js';

const ALIPAY_AVATAR = 'https://tfs.alipayobjects.com/images/partner/T1DevIdpAlipayTester.png';

const info = async (idp) => (await fetch(`${idp.endpoint}/__dev/alipay`)).json();

/** Logto's phrase for `connector.invalid_response`: all the person sees of a failure at Alipay. */
const CONNECTOR_INVALID_RESPONSE = "The connector's response is invalid.";

/** Alipay's own error codes appear nowhere on the page (Logto's toast shows only its phrase). */
function assertNoAlipayDetail(html) {
  for (const detail of ['isv.', 'aop.', '40002', '20001', 'access_denied', 'Invalid Arguments', 'Alipay alipay.']) {
    assert.ok(!html.includes(detail), `the page shows ${detail}`);
  }
}

describe('Alipay sign-in', () => {
  let idp;
  let alipay;

  before(async () => {
    idp = await startIdp();
    alipay = await info(idp);
  });

  after(async () => {
    assert.equal(await idp?.stop(), 0);
  });

  test('the connector is @logto/connector-alipay-web with target alipay; the redirect URI is ${origin}/callback/${connector_id}', async () => {
    assert.equal(alipay.connectorPackage, '@logto/connector-alipay-web');
    assert.equal(alipay.target, 'alipay');
    assert.equal(alipay.redirectUri, `${idp.endpoint}/callback/${alipay.connectorId}`);
    assert.deepEqual(alipay.config, {
      appId: '2021000000000001', signType: 'RSA2', charset: 'utf8', scope: 'auth_user', generated: true,
    });
    assert.match(alipay.standIn.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(alipay.standIn.origin, idp.endpoint);
    assert.doesNotMatch(JSON.stringify(alipay), /PRIVATE KEY/);
  });

  test('sign-in page: Continue with Alipay → approve → signed in; sub, name and picture from Alipay; the second sign-in finds the same user', async () => {
    const flow = await startAuthorization(idp.issuer);
    assert.equal(flow.page.status, 200);
    assert.match(flow.page.html, /<button id="social-alipay"[^>]*>[\s\S]*Continue with Alipay<\/button>/);
    for (const id of ['username', 'password', 'sign-in-submit', 'sign-in-abort']) {
      assert.match(flow.page.html, new RegExp(`id="${id}"`), id);
    }

    const alipayUrl = new URL(await clickAlipay(flow));
    // The connector's authorize URL, moved from https://openauth.alipay.com to the stand-in.
    assert.equal(alipayUrl.origin, alipay.standIn.origin);
    assert.equal(alipayUrl.pathname, '/oauth2/publicAppAuthorize.htm');
    assert.deepEqual([...alipayUrl.searchParams.keys()], ['app_id', 'redirect_uri', 'scope', 'state']);
    assert.equal(alipayUrl.searchParams.get('app_id'), '2021000000000001');
    assert.equal(alipayUrl.searchParams.get('redirect_uri'), alipay.redirectUri);
    assert.equal(alipayUrl.searchParams.get('scope'), 'auth_user');

    const back = new URL(await approveOnAlipay(alipayUrl.href));
    assert.equal(back.origin + back.pathname, alipay.redirectUri);
    assert.ok(back.searchParams.get('auth_code'));
    assert.equal(back.searchParams.get('state'), alipayUrl.searchParams.get('state'));

    const done = await finishAtIdp(flow, back.href);
    assert.ok(done.callback, `no callback: ${JSON.stringify(errorText(done.page?.html ?? ''))}`);
    const tokens = await exchange(idp.issuer, flow, done.callback);
    const claims = decodeJwtPart(tokens.id_token, 1);
    assert.match(claims.sub, /^[0-9a-z]{12}$/);
    assert.equal(claims.name, ALIPAY_NICK_NAME);
    assert.equal(claims.picture, ALIPAY_AVATAR);

    const me = await fetch(`${idp.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(me.status, 200);
    const userinfo = await me.json();
    assert.equal(userinfo.sub, claims.sub);
    assert.equal(userinfo.name, ALIPAY_NICK_NAME);
    assert.equal(userinfo.picture, ALIPAY_AVATAR);

    // The identity is linked to the Alipay user_id (Logto's identities claim).
    const withIdentities = await alipaySignIn(idp.issuer, { extra: { scope: 'openid identities profile' } });
    const me2 = await fetch(`${idp.issuer}/me`, { headers: { authorization: `Bearer ${withIdentities.tokens.access_token}` } });
    const userinfo2 = await me2.json();
    assert.equal(userinfo2.sub, claims.sub, 'a later Alipay sign-in finds the same user');
    assert.equal(userinfo2.identities.alipay.userId, ALIPAY_USER_ID);
    assert.equal(userinfo2.identities.alipay.details.name, ALIPAY_NICK_NAME);
  });

  test('the desktop example\'s URIs: redirect /callback on any loopback port; sign-out without a post-logout redirect (a loopback port is not registered)', async () => {
    const jar = new CookieJar();
    const { tokens } = await alipaySignIn(idp.issuer, { jar, redirectUri: 'http://127.0.0.1:45123/callback' });
    assert.ok(tokens.id_token);
    const end = new URL(`${idp.issuer}/session/end`);
    end.searchParams.set('client_id', 'dev-native-app');
    end.searchParams.set('post_logout_redirect_uri', 'http://127.0.0.1:45123/callback/sign-out');
    const refused = await request(jar, end.href);
    assert.equal(refused.status, 400, 'post_logout_redirect_uri has no loopback port exception (Logto)');
    assert.equal((await refused.json()).error, 'invalid_request');

    end.searchParams.delete('post_logout_redirect_uri');
    const page = await request(jar, end.href);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /id="signing-out"/, 'the session is recognised');
    const form = /<form id="op\.logoutForm" method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(html);
    const fields = Object.fromEntries([...form[2].matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const done = await follow(jar, form[1], { method: 'POST', form: fields });
    assert.equal(done.callback, undefined);
    assert.match(await done.response.text(), /id="signed-out"/, 'the IdP\'s own "signed out" page');
  });

  test('the session cookie gives SSO afterwards (no second trip to Alipay)', async () => {
    const jar = new CookieJar();
    await alipaySignIn(idp.issuer, { jar });
    const again = await startAuthorization(idp.issuer, { jar });
    assert.ok(again.nextUrl?.startsWith('com.example.app://callback?code='), again.nextUrl);
  });

  test('direct_sign_in=social:alipay skips the sign-in page: the first page is the Alipay stand-in', async () => {
    const flow = await startAuthorization(idp.issuer, { extra: { direct_sign_in: 'social:alipay' } });
    assert.equal(flow.page, undefined, 'no IdP page was shown');
    const alipayUrl = new URL(flow.nextUrl);
    assert.equal(alipayUrl.origin, alipay.standIn.origin);
    assert.equal(alipayUrl.pathname, '/oauth2/publicAppAuthorize.htm');
    const done = await finishAtIdp(flow, await approveOnAlipay(flow.nextUrl));
    const claims = decodeJwtPart((await exchange(idp.issuer, flow, done.callback)).id_token, 1);
    assert.equal(claims.name, ALIPAY_NICK_NAME);
  });

  test('direct_sign_in with an unknown target falls back to the first screen', async () => {
    for (const value of ['social:wechat', 'sso:abc', 'alipay']) {
      const flow = await startAuthorization(idp.issuer, { extra: { direct_sign_in: value } });
      assert.equal(flow.page?.status, 200, value);
      assert.match(flow.page.html, /id="sign-in-title"/, value);
    }
    const register = await startAuthorization(idp.issuer, { extra: { direct_sign_in: 'social:nope', first_screen: 'register' } });
    assert.match(register.page.html, /id="register-title"/);
  });

  test('first_screen=register shows the register view; register creates an account and signs in', async () => {
    const flow = await startAuthorization(idp.issuer, { extra: { first_screen: 'register' } });
    assert.equal(flow.page.status, 200);
    assert.match(flow.page.html, /<main data-screen="register">/);
    assert.match(flow.page.html, /id="register-title"/);
    assert.match(flow.page.html, /id="social-alipay"/);
    assert.match(flow.page.html, /id="go-sign-in"/);
    const action = new URL(/<form id="register-form" method="post" action="([^"]+)"/.exec(flow.page.html)[1], flow.page.url).href;

    const short = await request(flow.jar, action, { method: 'POST', form: { username: 'carol', password: 'short' } });
    assert.equal(short.status, 422);
    assert.equal(errorText(await short.text()).code, 'password.rejected');
    const taken = await request(flow.jar, action, { method: 'POST', form: { username: 'alice', password: 'long-enough' } });
    assert.equal(taken.status, 422);
    assert.equal(errorText(await taken.text()).code, 'user.username_already_in_use');

    const username = `carol_${Date.now()}`;
    const ok = await follow(flow.jar, action, { method: 'POST', form: { username, password: 'carol-password' } });
    const tokens = await exchange(idp.issuer, flow, new URL(ok.callback));
    const claims = decodeJwtPart(tokens.id_token, 1);
    assert.equal(claims.username, username);
    assert.match(claims.sub, /^[0-9a-z]{12}$/);

    // ...and the new account can sign in with its password.
    const again = await startAuthorization(idp.issuer);
    const signIn = new URL(/<form id="sign-in-form" method="post" action="([^"]+)"/.exec(again.page.html)[1], again.page.url).href;
    const res = await follow(again.jar, signIn, { method: 'POST', form: { username, password: 'carol-password' } });
    const claims2 = decodeJwtPart((await exchange(idp.issuer, again, new URL(res.callback))).id_token, 1);
    assert.equal(claims2.sub, claims.sub);
  });

  test('first_screen=sign_in (and identifier:sign_in, interaction_mode) pick the view; ?screen= switches it', async () => {
    const cases = [
      [{ first_screen: 'sign_in' }, 'sign-in-title'],
      [{ first_screen: 'identifier:sign_in' }, 'sign-in-title'],
      [{ first_screen: 'identifier:register' }, 'register-title'],
      [{ first_screen: 'reset_password' }, 'sign-in-title'],
      [{ interaction_mode: 'signUp' }, 'register-title'],
      [{}, 'sign-in-title'],
    ];
    for (const [extra, id] of cases) {
      const flow = await startAuthorization(idp.issuer, { extra });
      assert.match(flow.page.html, new RegExp(`id="${id}"`), JSON.stringify(extra));
    }
    const flow = await startAuthorization(idp.issuer, { extra: { first_screen: 'sign_in' } });
    const href = /<a id="go-register" href="([^"]+)"/.exec(flow.page.html)[1].replaceAll('&amp;', '&');
    const res = await request(flow.jar, new URL(href, flow.page.url).href);
    assert.match(await res.text(), /id="register-title"/);
  });

  test('the Alipay sign-in from the register view also signs in (registers on first use)', async () => {
    const flow = await startAuthorization(idp.issuer, { extra: { first_screen: 'register' } });
    const done = await finishAtIdp(flow, await approveOnAlipay(await clickAlipay(flow)));
    const claims = decodeJwtPart((await exchange(idp.issuer, flow, done.callback)).id_token, 1);
    assert.equal(claims.name, ALIPAY_NICK_NAME);
  });

  test('deny on Alipay: 400 connector.invalid_response on the sign-in page, nothing reaches the app; (dev-only) Cancel ends with access_denied', async () => {
    const flow = await startAuthorization(idp.issuer);
    const back = await approveOnAlipay(await clickAlipay(flow), { deny: true });
    assert.equal(new URL(back).searchParams.get('error'), 'access_denied');
    const done = await finishAtIdp(flow, back);
    assert.equal(done.callback, undefined, 'nothing is redirected to the app');
    assert.equal(done.page.status, 400);
    assert.match(new URL(done.page.url).pathname, /^\/sign-in\//, 'the person stays on the sign-in page');
    assert.deepEqual(errorText(done.page.html), { code: 'connector.invalid_response', message: CONNECTOR_INVALID_RESPONSE });
    assertNoAlipayDetail(done.page.html);
    assert.match(idp.stderr(), /connector\.invalid_response \(400\): The connector's response is invalid\. The provider redirected back with error=access_denied/, 'the detail is in the log');

    const { action } = parseForm(done.page.html, 'sign-in-abort-form', done.page.url);
    const cancelled = await follow(flow.jar, action, { method: 'POST' });
    const cb = new URL(cancelled.callback);
    assert.equal(cb.searchParams.get('error'), 'access_denied');
    assert.equal(cb.searchParams.get('error_description'), `End-User aborted interaction after a failed sign-in: connector.invalid_response: ${CONNECTOR_INVALID_RESPONSE}`);
  });

  test('a reused auth_code: Alipay answers isv.code-invalid, the page shows 400 connector.invalid_response', async () => {
    // A first, successful sign-in consumes the code...
    const first = await startAuthorization(idp.issuer);
    const firstBack = await approveOnAlipay(await clickAlipay(first));
    const usedCode = new URL(firstBack).searchParams.get('auth_code');
    assert.ok((await finishAtIdp(first, firstBack)).callback);

    // ...then a new sign-in comes back with that same code (a replay).
    const flow = await startAuthorization(idp.issuer);
    const back = new URL(await approveOnAlipay(await clickAlipay(flow)));
    back.searchParams.set('auth_code', usedCode);
    const done = await finishAtIdp(flow, back.href);
    assert.equal(done.callback, undefined);
    assert.equal(done.page.status, 400);
    assert.deepEqual(errorText(done.page.html), { code: 'connector.invalid_response', message: CONNECTOR_INVALID_RESPONSE });
    assertNoAlipayDetail(done.page.html);
    assert.match(idp.stderr(), /connector\.invalid_response \(400\): The connector's response is invalid\. Alipay alipay\.system\.oauth\.token: 40002 Invalid Arguments \(isv\.code-invalid: 授权码code无效\)\./);
    assert.doesNotMatch(idp.stderr(), new RegExp(usedCode), 'no auth_code in the logs');
  });

  test('a replayed callback (same state twice) is refused', async () => {
    const flow = await startAuthorization(idp.issuer);
    const back = await approveOnAlipay(await clickAlipay(flow));
    assert.ok((await finishAtIdp(flow, back)).callback);
    const replay = await request(flow.jar, back);
    assert.equal(replay.status, 400);
    assert.match(await replay.text(), /id="callback-error"/);
  });

  test('the gateway verifies signatures and answers with Alipay\'s shapes', async () => {
    const gateway = alipay.standIn.gatewayUrl;
    const post = async (params) => (await fetch(`${gateway}?${new URLSearchParams(params)}`, { method: 'POST' })).text();
    const base = {
      method: 'alipay.system.oauth.token',
      format: 'JSON',
      timestamp: '2026-01-01 12:00:00',
      version: '1.0',
      grant_type: 'authorization_code',
      code: 'nope',
      app_id: '2021000000000001',
      sign_type: 'RSA2',
      charset: 'utf8',
      sign: 'AAAA',
    };
    assert.equal(
      await post(base),
      '{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：app_id=2021000000000001&charset=utf8&code=nope&format=JSON&grant_type=authorization_code&method=alipay.system.oauth.token&sign_type=RSA2&timestamp=2026-01-01 12:00:00&version=1.0"}}',
    );
    assert.match(await post({ ...base, app_id: '2021999999999999' }), /^\{"error_response":\{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id","sub_msg":"无效的AppID参数"\}\}$/);
    assert.match(await post({ ...base, sign_type: 'RSA3' }), /"sub_code":"isv.invalid-signature-type"/);
    assert.match(await post({ ...base, method: '' }), /"sub_code":"isv.missing-method"/);
    assert.match(await post({ ...base, charset: 'latin1' }), /"sub_code":"isv.invalid-charset"/);
    assert.match(await post({ ...base, timestamp: 'yesterday' }), /"sub_code":"isv.invalid-timestamp"/);
  });
});

describe('Alipay connector configuration', { concurrency: true }, () => {
  const refuse = (config, field, pattern) => {
    const run = spawnSync(BIN, ['--port', '0', '--alipay-config', jsonFile(config)], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 2, `exit status, stderr:\n${run.stderr}`);
    assert.equal(run.stdout, '', 'no ready line');
    assert.match(run.stderr, /invalid Alipay connector configuration/);
    assert.match(run.stderr, new RegExp(`- ${field}: `), `names the field ${field}:\n${run.stderr}`);
    if (pattern) assert.match(run.stderr, pattern);
    return run.stderr;
  };

  test('signType RSA3 is refused', () => {
    refuse(alipayConfig({ signType: 'RSA3' }), 'signType', /"RSA3" is not allowed, expected one of "RSA", "RSA2"/);
  });

  test('a missing privateKey is refused', () => {
    const config = alipayConfig();
    delete config.privateKey;
    refuse(config, 'privateKey', /missing, the field is required/);
  });

  test('a bad PEM is refused (garbage, no header/footer, literal \\n, a public key, a short key, an EC key)', () => {
    const good = rsaKeyPair().privateKey;
    refuse(alipayConfig({ privateKey: 'not a key' }), 'privateKey', /header or footer missing/);
    refuse(alipayConfig({ privateKey: good.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '') }), 'privateKey', /header or footer missing/);
    refuse(alipayConfig({ privateKey: good.replaceAll('\n', '\\n') }), 'privateKey', /literal backslash-n/);
    refuse(alipayConfig({ privateKey: good.replace(/\n[A-Za-z0-9+/]{64}\n/, '\nAAAA\n') }), 'privateKey', /cannot be parsed/);
    refuse(alipayConfig({ privateKey: rsaKeyPair().publicKey }), 'privateKey');
    refuse(alipayConfig({ privateKey: rsaKeyPair({ bits: 1024 }).privateKey }), 'privateKey', /2048/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    refuse(alipayConfig({ privateKey: ec.privateKey }), 'privateKey', /RSA/);
  });

  test('a bad charset is refused', () => {
    refuse(alipayConfig({ charset: 'utf-16' }), 'charset', /expected one of "gbk", "utf8"/);
  });

  test('a bad scope is refused', () => {
    refuse(alipayConfig({ scope: 'auth_everything' }), 'scope', /expected "auth_user" or "auth_base"/);
  });

  test('a missing or bad appId is refused; so are unreadable files and non-JSON', () => {
    const config = alipayConfig();
    delete config.appId;
    refuse(config, 'appId');
    refuse(alipayConfig({ appId: 'my-app' }), 'appId', /digits/);
    const run = spawnSync(BIN, ['--port', '0', '--alipay-config', jsonFile('{ nope')], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--alipay-config .*: not valid JSON/);
    const missing = spawnSync(BIN, ['--port', '0', '--alipay-config', '/nonexistent/alipay.json'], { encoding: 'utf8' });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read the file/);
  });

  test('a bad app registration (--alipay-app) is refused', () => {
    const run = spawnSync(BIN, ['--port', '0', '--alipay-app', jsonFile({ appId: '2021000000000001', publicKey: rsaKeyPair().publicKey })], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /- publicKey: remove the header, the footer and every newline/);
  });
});

describe('Alipay configurations that work', { concurrency: true }, () => {
  const variants = [
    ['RSA (SHA-1), PKCS#1 key, gbk, auth_user', { signType: 'RSA', charset: 'gbk', privateKey: rsaKeyPair({ pkcs: 1 }).privateKey }],
    ['RSA2, no charset (utf8 default), no scope (auth_user default)', { charset: undefined, scope: undefined }],
  ];
  for (const [name, overrides] of variants) {
    test(name, async () => {
      const config = JSON.parse(JSON.stringify(alipayConfig(overrides)));
      const idp = await startIdp(['--alipay-config', jsonFile(config)]);
      try {
        const { tokens } = await alipaySignIn(idp.issuer);
        const claims = decodeJwtPart(tokens.id_token, 1);
        assert.equal(claims.name, ALIPAY_NICK_NAME);
        assert.equal(claims.picture, ALIPAY_AVATAR);
      } finally {
        assert.equal(await idp.stop(), 0);
      }
    });
  }

  test('scope auth_base: the user is created from the Alipay user_id alone (no nick name, no avatar)', async () => {
    const idp = await startIdp(['--alipay-config', jsonFile(alipayConfig({ scope: 'auth_base' }))]);
    try {
      const { tokens, alipayUrl } = await alipaySignIn(idp.issuer);
      assert.equal(new URL(alipayUrl).searchParams.get('scope'), 'auth_base');
      const claims = decodeJwtPart(tokens.id_token, 1);
      assert.match(claims.sub, /^[0-9a-z]{12}$/);
      assert.equal(claims.name, null);
      assert.equal(claims.picture, null);
    } finally {
      assert.equal(await idp.stop(), 0);
    }
  });
});

describe('Alipay error responses end the sign-in clearly', { concurrency: true }, () => {
  /** Runs one sign-in up to the IdP's answer to Alipay's callback. */
  const failingSignIn = async (idp, { beforeCallback } = {}) => {
    const flow = await startAuthorization(idp.issuer);
    const back = await approveOnAlipay(await clickAlipay(flow));
    if (beforeCallback) await beforeCallback();
    const done = await finishAtIdp(flow, back);
    assert.equal(done.callback, undefined, 'the sign-in did not complete');
    return { flow, page: done.page, error: errorText(done.page.html) };
  };

  test('bad signature: the IdP signs with a key that does not match the registered public key', async () => {
    const config = alipayConfig();
    const idp = await startIdp([
      '--alipay-config', jsonFile(config),
      '--alipay-app', jsonFile({ appId: config.appId, publicKey: rsaKeyPair().registered }),
    ]);
    try {
      const { page, error } = await failingSignIn(idp);
      assert.equal(page.status, 400);
      assert.deepEqual(error, { code: 'connector.invalid_response', message: CONNECTOR_INVALID_RESPONSE });
      assertNoAlipayDetail(page.html);
      assert.match(idp.stderr(), /connector\.invalid_response \(400\): The connector's response is invalid\. Alipay alipay\.system\.oauth\.token: 40002 Invalid Arguments \(isv\.invalid-signature: 验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：app_id=2021000000000001&charset=utf8&code=…&format=JSON.* \[unsigned\]\./);
      assert.match(idp.stderr(), /alipay\.system\.oauth\.token → 40002 isv\.invalid-signature/);
    } finally {
      assert.equal(await idp.stop(), 0);
    }
  });

  test('wrong app id: the connector\'s appId is not the app registered on Alipay', async () => {
    const config = alipayConfig({ appId: '2021000000009999' });
    const idp = await startIdp([
      '--alipay-config', jsonFile(config),
      '--alipay-app', jsonFile({ appId: '2021000000000001', publicKey: rsaKeyPair().registered }),
    ]);
    try {
      const { error, page } = await failingSignIn(idp);
      assert.equal(page.status, 400);
      assert.deepEqual(error, { code: 'connector.invalid_response', message: CONNECTOR_INVALID_RESPONSE });
      assertNoAlipayDetail(page.html);
      assert.match(idp.stderr(), /Alipay alipay\.system\.oauth\.token: 40002 Invalid Arguments \(isv\.invalid-app-id: 无效的AppID参数\) \[unsigned\]\./);
    } finally {
      assert.equal(await idp.stop(), 0);
    }
  });

  test('expired auth_code', async () => {
    const idp = await startIdp(['--alipay-code-ttl', '1']);
    try {
      const { flow, error, page } = await failingSignIn(idp, {
        beforeCallback: () => new Promise((r) => { setTimeout(r, 1300); }),
      });
      assert.equal(page.status, 400);
      assert.deepEqual(error, { code: 'connector.invalid_response', message: CONNECTOR_INVALID_RESPONSE });
      assertNoAlipayDetail(page.html);
      assert.match(idp.stderr(), /isv\.code-invalid \(auth_code expired\)/);

      // The person gives up: Cancel ends the authorization request at the app.
      const { action } = parseForm(page.html, 'sign-in-abort-form', page.url);
      const cancelled = new URL((await follow(flow.jar, action, { method: 'POST' })).callback);
      assert.equal(cancelled.searchParams.get('error'), 'access_denied');
      assert.match(cancelled.searchParams.get('error_description'), /connector\.invalid_response/);
      assert.equal(cancelled.searchParams.get('state'), flow.state);
    } finally {
      assert.equal(await idp.stop(), 0);
    }
  });

  test('after a failure the person can try again on the same page and succeed', async () => {
    const idp = await startIdp(['--alipay-code-ttl', '1']);
    try {
      const { flow, page } = await failingSignIn(idp, {
        beforeCallback: () => new Promise((r) => { setTimeout(r, 1300); }),
      });
      const retry = { ...flow, page };
      const done = await finishAtIdp(flow, await approveOnAlipay(await clickAlipay(retry)));
      const claims = decodeJwtPart((await exchange(idp.issuer, flow, done.callback)).id_token, 1);
      assert.equal(claims.name, ALIPAY_NICK_NAME);
    } finally {
      assert.equal(await idp.stop(), 0);
    }
  });
});

describe('signing a gateway request by hand, as the guide\'s key pair would', () => {
  test('RSA2 over the sorted parameters verifies against the registered public key', async () => {
    const { privateKey, registered } = rsaKeyPair();
    const idp = await startIdp([
      '--alipay-config', jsonFile(alipayConfig({ privateKey })),
    ]);
    try {
      const alipay = await info(idp);
      assert.equal(alipay.standIn.registeredApp.publicKey, registered, 'registered = openssl rsa -pubout without header, footer, newlines');
      const params = {
        app_id: '2021000000000001', charset: 'utf8', code: 'unknown-code', format: 'JSON', grant_type: 'authorization_code',
        method: 'alipay.system.oauth.token', sign_type: 'RSA2', timestamp: '2026-01-01 12:00:00', version: '1.0',
      };
      const content = Object.keys(params).sort().map((k) => `${k}=${params[k]}`).join('&');
      const sign = createSign('RSA-SHA256').update(content, 'utf8').sign(privateKey, 'base64');
      const res = await fetch(`${alipay.standIn.gatewayUrl}?${new URLSearchParams({ ...params, sign })}`, { method: 'POST' });
      const body = await res.text();
      assert.match(res.headers.get('content-type'), /^text\/html;charset=utf-8$/);
      const json = JSON.parse(body);
      assert.deepEqual(json.alipay_system_oauth_token_response, {
        code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.code-invalid', sub_msg: '授权码code无效',
      });
      assert.ok(json.sign, 'business errors are signed');
      // The response signature verifies with the stand-in's Alipay public key.
      const { createVerify, createPublicKey } = await import('node:crypto');
      const inner = /^\{"alipay_system_oauth_token_response":(\{.*\}),"sign":"[^"]+"\}$/.exec(body)[1];
      const alipayKey = createPublicKey({ key: Buffer.from(alipay.standIn.alipayPublicKey, 'base64'), format: 'der', type: 'spki' });
      assert.ok(createVerify('RSA-SHA256').update(inner, 'utf8').verify(alipayKey, json.sign, 'base64'));
    } finally {
      assert.equal(await idp.stop(), 0);
    }
  });
});
