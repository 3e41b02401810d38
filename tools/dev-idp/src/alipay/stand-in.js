// A local stand-in for Alipay's open platform (DEV ONLY), on its own loopback
// port, so that Logto's Alipay (Web) connector runs unmodified without the
// internet.
//
//   GET  /oauth2/publicAppAuthorize.htm   the authorize page the browser is sent to
//                                         (app_id, scope, redirect_uri, state). One test
//                                         account; the person approves (#alipay-approve)
//                                         or denies (#alipay-deny).
//   POST /oauth2/approve                  → 302 redirect_uri?app_id&source=alipay_wallet&scope&auth_code&state
//   POST /oauth2/deny                     → 302 redirect_uri?error=access_denied&error_description&state
//   GET|POST /gateway.do                  the OpenAPI gateway: alipay.system.oauth.token and
//                                         alipay.user.info.share, every request's RSA/RSA2
//                                         signature verified against the registered public key
//
// The IdP process routes the connector's calls to https://openapi.alipay.com/gateway.do
// here (see intercept.js), and rewrites the browser redirect to
// https://openauth.alipay.com/oauth2/publicAppAuthorize.htm to this server's origin.
//
// Response shapes are Alipay's: `{"<method with _>_response": {...}, "sign": "..."}`
// with `sign` = base64 RSA signature (the request's sign type) of the exact JSON
// text of the inner object, made with the stand-in's own "Alipay" key pair.
// Errors:
//   - security-mechanism errors (missing/invalid app_id, signature, sign_type,
//     charset, timestamp, method) → `{"error_response": {code, msg, sub_code, sub_msg}}`,
//     unsigned, as Alipay's gateway documents them ("安全机制异常同步返回参数");
//   - business errors come in the method's own response node, signed, with a
//     code other than 10000 (Alipay's 公共响应参数 code/msg/sub_code/sub_msg):
//     alipay.system.oauth.token with a bad, reused or expired code →
//     `{"alipay_system_oauth_token_response": {"code":"40002","msg":"Invalid Arguments",
//     "sub_code":"isv.code-invalid","sub_msg":"授权码code无效"}, "sign": ...}`. The
//     connector expects a token in that node, its guard fails and it throws
//     InvalidResponse: `400 connector.invalid_response`, which is what a real
//     Logto 1.42 shows for a reused code (logto-server-facts.md);
//   - alipay.user.info.share with a bad or expired token →
//     `{"alipay_user_info_share_response": {"code":"20001","msg":"Insufficient Token Permissions",
//     "sub_code":"aop.invalid-auth-token","sub_msg":"无效的访问令牌"}, "sign": ...}`.
// Like Alipay's gateway, every answer is HTTP 200 with `content-type: text/html;charset=utf-8`.

import { randomBytes, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';

import iconv from 'iconv-lite';

import { htmlEscape } from '../html.js';

export const AUTHORIZE_PATH = '/oauth2/publicAppAuthorize.htm';
export const GATEWAY_PATH = '/gateway.do';

/** The one Alipay account of the stand-in. */
export const ALIPAY_TEST_ACCOUNT = Object.freeze({
  user_id: '2088000000000001',
  nick_name: '支付宝用户',
  avatar: 'https://tfs.alipayobjects.com/images/partner/T1DevIdpAlipayTester.png',
  gender: 'F',
  province: '浙江省',
  city: '杭州市',
  login: 'tester@alipay.example',
});

const ACCESS_TOKEN_TTL = 1_296_000; // 15 days
const REFRESH_TOKEN_TTL = 2_592_000; // 30 days
const FORM_LIMIT = 64 * 1024;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

const SIGN_ALGORITHMS = { RSA: 'RSA-SHA1', RSA2: 'RSA-SHA256' };
const CHARSETS = { 'utf-8': 'utf8', utf8: 'utf8', gbk: 'gbk' };

// Alipay's security-mechanism error codes (code, msg, sub_code, sub_msg).
const E = {
  missingMethod: ['40001', 'Missing Required Arguments', 'isv.missing-method', '缺少方法名参数'],
  missingAppId: ['40001', 'Missing Required Arguments', 'isv.missing-app-id', '缺少AppID参数'],
  invalidAppId: ['40002', 'Invalid Arguments', 'isv.invalid-app-id', '无效的AppID参数'],
  missingSignType: ['40001', 'Missing Required Arguments', 'isv.missing-signature-type', '缺少签名类型参数'],
  invalidSignType: ['40002', 'Invalid Arguments', 'isv.invalid-signature-type', '无效签名类型'],
  missingSignature: ['40001', 'Missing Required Arguments', 'isv.missing-signature', '缺少签名参数'],
  invalidCharset: ['40002', 'Invalid Arguments', 'isv.invalid-charset', '字符集错误'],
  missingTimestamp: ['40001', 'Missing Required Arguments', 'isv.missing-timestamp', '缺少时间戳参数'],
  invalidTimestamp: ['40002', 'Invalid Arguments', 'isv.invalid-timestamp', '非法的时间戳参数'],
  missingVersion: ['40001', 'Missing Required Arguments', 'isv.missing-version', '缺少版本参数'],
  invalidMethod: ['40002', 'Invalid Arguments', 'isv.invalid-method', '不存在的方法名'],
  invalidFormat: ['40002', 'Invalid Arguments', 'isv.invalid-format', '无效数据格式'],
  invalidSignature: ['40002', 'Invalid Arguments', 'isv.invalid-signature', '验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：'],
  codeInvalid: ['40002', 'Invalid Arguments', 'isv.code-invalid', '授权码code无效'],
  grantTypeInvalid: ['40002', 'Invalid Arguments', 'isv.grant-type-invalid', 'grant_type参数不正确'],
  invalidAuthToken: ['20001', 'Insufficient Token Permissions', 'aop.invalid-auth-token', '无效的访问令牌'],
  authTokenTimeout: ['20001', 'Insufficient Token Permissions', 'aop.auth-token-time-out', '访问令牌已过期'],
};

const errorBody = ([code, msg, subCode, subMsg], extra = '') => ({
  code, msg, sub_code: subCode, sub_msg: `${subMsg}${extra}`,
});

/** Percent-decodes an x-www-form-urlencoded string into bytes (+ is a space). */
function percentDecode(text) {
  const bytes = [];
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '+') {
      bytes.push(0x20);
    } else if (c === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** Parses form/query text whose percent-encoded bytes are in `charset` ('utf8' or 'gbk'). */
function parseForm(text, charset) {
  const out = new Map();
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = iconv.decode(percentDecode(eq === -1 ? part : part.slice(0, eq)), charset);
    const value = iconv.decode(percentDecode(eq === -1 ? '' : part.slice(eq + 1)), charset);
    if (!out.has(key)) out.set(key, value);
  }
  return out;
}

/** The charset parameter is ASCII: find it before decoding anything else. */
function sniffCharset(...texts) {
  for (const text of texts) {
    const m = /(?:^|&)charset=([^&]*)/.exec(text);
    if (m) return decodeURIComponent(m[1].replaceAll('+', ' '));
  }
  return undefined;
}

/** Alipay's string to sign: every parameter but `sign`, non-empty, sorted by name, `k=v` joined by `&`. */
export function alipaySignContent(params) {
  return [...params.entries()]
    .filter(([k, v]) => k !== 'sign' && v !== '' && v !== undefined && v !== null)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > FORM_LIMIT) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${htmlEscape(title)}</title>
<style>
body{margin:0;font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;background:#f5f5f5;color:#333}
header{background:#1677ff;color:#fff;padding:14px 20px;font-size:20px;font-weight:600}
header small{font-weight:400;opacity:.85;margin-left:.5rem;font-size:14px}
main{max-width:26rem;margin:2rem auto;background:#fff;border-radius:12px;padding:1.5rem;box-shadow:0 1px 4px rgba(0,0,0,.08)}
.account{display:flex;align-items:center;gap:.8rem;margin:1rem 0;padding:.8rem;background:#f0f6ff;border-radius:8px}
.avatar{width:44px;height:44px;border-radius:50%;background:#1677ff;color:#fff;display:flex;align-items:center;justify-content:center;font-size:22px}
ul{padding-left:1.2rem;line-height:1.6}
button{display:block;width:100%;box-sizing:border-box;margin:.6rem 0;padding:.75rem;font-size:1rem;border-radius:8px;border:1px solid #1677ff;cursor:pointer}
#alipay-approve{background:#1677ff;color:#fff}
#alipay-deny{background:#fff;color:#1677ff}
.note{font-size:12px;color:#888}
code{word-break:break-all}
</style>
</head>
<body>
<header>支付宝 <small>Alipay · local stand-in (dev only)</small></header>
<main>
${body}
</main>
</body>
</html>`;
}

/**
 * @param {object} options
 * @param {{ appId: string, publicKey: string, publicKeyObject: import('node:crypto').KeyObject }} options.app
 *   the app registered on the open platform
 * @param {() => string} options.redirectUri  the registered authorization redirect URI (授权回调地址)
 * @param {number} options.codeTtl  auth_code lifetime in seconds
 * @param {{ publicKey: import('node:crypto').KeyObject, privateKey: import('node:crypto').KeyObject }} options.alipayKeys
 *   the stand-in's own "Alipay" RSA key pair: responses are signed with it
 * @param {(line: string) => void} options.log
 */
export function createAlipayStandIn({
  app, redirectUri, codeTtl, alipayKeys, log,
}) {
  const alipayPublicKey = alipayKeys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

  /** auth_code → { appId, userId, scope, expiresAt, used } */
  const codes = new Map();
  /** access_token → { appId, userId, scope, expiresAt } */
  const accessTokens = new Map();

  const sweep = () => {
    const now = Date.now();
    for (const [k, v] of codes) if (v.expiresAt + 60_000 < now) codes.delete(k);
    for (const [k, v] of accessTokens) if (v.expiresAt < now) accessTokens.delete(k);
  };

  const reply = (res, status, type, body) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };

  const errorPage = (res, status, subCode, message) => {
    log(`alipay: authorize page refused: ${subCode}`);
    reply(res, status, 'text/html; charset=utf-8', page('支付宝 - 错误', `<h1>出错了 · Error</h1>
<p id="alipay-error" data-code="${htmlEscape(subCode)}">错误代码 <code>${htmlEscape(subCode)}</code></p>
<p>${htmlEscape(message)}</p>`));
  };

  /** Validates the authorize request; returns the parameters or undefined (after an error page). */
  const authorizeParams = (res, params) => {
    const appId = params.get('app_id') ?? '';
    const scope = params.get('scope') ?? '';
    const target = params.get('redirect_uri') ?? '';
    const state = params.get('state') ?? '';
    if (!appId) return errorPage(res, 400, 'missing-app-id', 'app_id is missing.');
    if (!target) return errorPage(res, 400, 'missing-redirect-uri', 'redirect_uri is missing.');
    if (target !== redirectUri()) {
      return errorPage(res, 400, 'invalid-redirect-uri', `redirect_uri ${target} is not the app's registered authorization redirect URI (${redirectUri()}).`);
    }
    const scopes = scope.split(/[\s,]+/).filter(Boolean);
    if (scopes.length === 0 || scopes.some((s) => s !== 'auth_user' && s !== 'auth_base')) {
      return errorPage(res, 400, 'invalid-scope', `scope ${JSON.stringify(scope)} is not auth_user or auth_base.`);
    }
    return { appId, scope, redirectUri: target, state, scopes };
  };

  const authorizePage = (res, p) => {
    const a = ALIPAY_TEST_ACCOUNT;
    const hidden = ['app_id', 'scope', 'redirect_uri', 'state']
      .map((name) => {
        const value = { app_id: p.appId, scope: p.scope, redirect_uri: p.redirectUri, state: p.state }[name];
        return `<input type="hidden" name="${name}" value="${htmlEscape(value)}">`;
      })
      .join('\n');
    const asksForProfile = p.scopes.includes('auth_user');
    reply(res, 200, 'text/html; charset=utf-8', page('支付宝 - 授权', `<h1 id="alipay-authorize-title">授权登录 · Authorize</h1>
<p>应用 <strong id="alipay-app-id">${htmlEscape(p.appId)}</strong> 申请使用你的支付宝账户登录。<br>
<span class="note">The app ${htmlEscape(p.appId)} wants to sign you in with your Alipay account.</span></p>
<div class="account" id="alipay-account">
  <div class="avatar">支</div>
  <div><strong id="alipay-nick-name">${htmlEscape(a.nick_name)}</strong><br><span class="note">${htmlEscape(a.login)} · ${htmlEscape(a.user_id.replace(/^(\d{4})\d+(\d{4})$/, '$1********$2'))}</span></div>
</div>
<p>将获得以下权限 · It will get:</p>
<ul>
  <li>你的支付宝用户 ID · your Alipay user ID</li>
  ${asksForProfile ? '<li>头像、昵称、性别、地区 · avatar, nick name, gender, region</li>' : ''}
</ul>
<form id="alipay-approve-form" method="post" action="/oauth2/approve">
${hidden}
<button id="alipay-approve" type="submit">同意授权 · Approve</button>
</form>
<form id="alipay-deny-form" method="post" action="/oauth2/deny">
${hidden}
<button id="alipay-deny" type="submit">拒绝 · Deny</button>
</form>
<p class="note">Local Alipay stand-in of the dev IdP. Nothing leaves this machine.</p>`));
  };

  const redirectBack = (res, target, params) => {
    const url = new URL(target);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    res.writeHead(302, { location: url.href, 'cache-control': 'no-store' });
    res.end();
  };

  // ---- gateway --------------------------------------------------------------

  const signResponse = (text, signType) => cryptoSign(
    SIGN_ALGORITHMS[signType] ?? SIGN_ALGORITHMS.RSA2,
    Buffer.from(text, 'utf8'),
    alipayKeys.privateKey,
  ).toString('base64');

  /** Writes `{"<key>": <inner>[, "sign": "..."]}` exactly as Alipay does. */
  const gatewayReply = (res, key, inner, { signType, signed }) => {
    const innerJson = JSON.stringify(inner);
    const body = signed
      ? `{"${key}":${innerJson},"sign":"${signResponse(innerJson, signType)}"}`
      : `{"${key}":${innerJson}}`;
    reply(res, 200, 'text/html;charset=utf-8', body);
  };

  const securityError = (res, method, error, extra = '', reason = '') => {
    log(`alipay: gateway ${method || '(no method)'} → ${error[0]} ${error[2]}${reason ? ` (${reason})` : ''}`);
    gatewayReply(res, 'error_response', errorBody(error, extra), { signed: false });
  };

  const oauthToken = (res, params, signType) => {
    const grantType = params.get('grant_type');
    if (grantType !== 'authorization_code') {
      log(`alipay: gateway alipay.system.oauth.token → isv.grant-type-invalid (${grantType})`);
      return gatewayReply(res, 'alipay_system_oauth_token_response', errorBody(E.grantTypeInvalid), { signType, signed: true });
    }
    const code = params.get('code') ?? '';
    const entry = codes.get(code);
    let reason;
    if (!entry) reason = 'unknown auth_code';
    else if (entry.used) reason = 'auth_code already used';
    else if (entry.expiresAt <= Date.now()) reason = 'auth_code expired';
    else if (entry.appId !== params.get('app_id')) reason = 'auth_code issued to another app';
    if (reason) {
      if (entry && reason === 'auth_code already used') {
        // OAuth hygiene: a replayed code revokes what it issued.
        for (const [token, t] of accessTokens) if (t.code === code) accessTokens.delete(token);
      }
      log(`alipay: gateway alipay.system.oauth.token → 40002 isv.code-invalid (${reason})`);
      return gatewayReply(res, 'alipay_system_oauth_token_response', errorBody(E.codeInvalid), { signType, signed: true });
    }
    entry.used = true;
    const accessToken = `authusrB${randomBytes(16).toString('hex')}`;
    const refreshToken = `authusrB${randomBytes(16).toString('hex')}`;
    accessTokens.set(accessToken, {
      appId: entry.appId, userId: entry.userId, scope: entry.scope, code, expiresAt: Date.now() + ACCESS_TOKEN_TTL * 1000,
    });
    const now = new Date(Date.now() + 8 * 3600 * 1000); // Beijing time
    log('alipay: gateway alipay.system.oauth.token → 10000 (access token issued)');
    return gatewayReply(res, 'alipay_system_oauth_token_response', {
      user_id: entry.userId,
      access_token: accessToken,
      expires_in: ACCESS_TOKEN_TTL,
      refresh_token: refreshToken,
      re_expires_in: REFRESH_TOKEN_TTL,
      auth_start: now.toISOString().replace('T', ' ').slice(0, 19),
    }, { signType, signed: true });
  };

  const userInfoShare = (res, params, signType) => {
    const token = accessTokens.get(params.get('auth_token') ?? '');
    const key = 'alipay_user_info_share_response';
    if (!token || token.appId !== params.get('app_id')) {
      log('alipay: gateway alipay.user.info.share → 20001 aop.invalid-auth-token');
      return gatewayReply(res, key, errorBody(E.invalidAuthToken), { signType, signed: true });
    }
    if (token.expiresAt <= Date.now()) {
      log('alipay: gateway alipay.user.info.share → 20001 aop.auth-token-time-out');
      return gatewayReply(res, key, errorBody(E.authTokenTimeout), { signType, signed: true });
    }
    const a = ALIPAY_TEST_ACCOUNT;
    // auth_base ("静默授权") grants the user id only; auth_user adds the public profile.
    const profile = token.scope.split(/[\s,]+/).includes('auth_user')
      ? {
        avatar: a.avatar, city: a.city, gender: a.gender, nick_name: a.nick_name, province: a.province,
      }
      : {};
    log('alipay: gateway alipay.user.info.share → 10000');
    return gatewayReply(res, key, {
      code: '10000', msg: 'Success', user_id: token.userId, ...profile,
    }, { signType, signed: true });
  };

  const gateway = async (req, res, url) => {
    const body = req.method === 'POST' ? (await readBody(req)).toString('latin1') : '';
    const query = url.search.slice(1);
    const formBody = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') ? body : '';
    const rawCharset = sniffCharset(query, formBody);
    const charset = rawCharset === undefined ? 'utf8' : CHARSETS[rawCharset.toLowerCase()];
    const params = parseForm(query, charset ?? 'utf8');
    for (const [k, v] of parseForm(formBody, charset ?? 'utf8')) if (!params.has(k)) params.set(k, v);
    const method = params.get('method') ?? '';

    if (!method) return securityError(res, method, E.missingMethod);
    const appId = params.get('app_id');
    if (!appId) return securityError(res, method, E.missingAppId);
    if (appId !== app.appId) return securityError(res, method, E.invalidAppId, '', `app_id ${appId} is not registered`);
    const signType = params.get('sign_type');
    if (!signType) return securityError(res, method, E.missingSignType);
    if (!SIGN_ALGORITHMS[signType]) return securityError(res, method, E.invalidSignType, '', `sign_type ${signType}`);
    const sign = params.get('sign');
    if (!sign) return securityError(res, method, E.missingSignature);
    if (!charset) return securityError(res, method, E.invalidCharset, '', `charset ${rawCharset}`);
    const timestamp = params.get('timestamp');
    if (!timestamp) return securityError(res, method, E.missingTimestamp);
    if (!TIMESTAMP.test(timestamp)) return securityError(res, method, E.invalidTimestamp, '', `timestamp ${timestamp}`);
    if (!params.get('version')) return securityError(res, method, E.missingVersion);
    const format = params.get('format');
    if (format !== undefined && format.toUpperCase() !== 'JSON') return securityError(res, method, E.invalidFormat);

    const content = alipaySignContent(params);
    let valid = false;
    try {
      valid = cryptoVerify(
        SIGN_ALGORITHMS[signType],
        iconv.encode(content, charset),
        app.publicKeyObject,
        Buffer.from(sign, 'base64'),
      );
    } catch {
      valid = false;
    }
    if (!valid) {
      return securityError(res, method, E.invalidSignature, content, 'the signature does not match the registered public key');
    }

    if (method === 'alipay.system.oauth.token') return oauthToken(res, params, signType);
    if (method === 'alipay.user.info.share') return userInfoShare(res, params, signType);
    return securityError(res, method, E.invalidMethod);
  };

  // ---- HTTP handler -----------------------------------------------------------

  async function handle(req, res) {
    const url = new URL(req.url, 'http://stand-in.invalid');
    sweep();
    if (url.pathname === GATEWAY_PATH && (req.method === 'POST' || req.method === 'GET')) {
      return gateway(req, res, url);
    }
    if (url.pathname === AUTHORIZE_PATH && req.method === 'GET') {
      const p = authorizeParams(res, url.searchParams);
      if (p) authorizePage(res, p);
      return undefined;
    }
    if ((url.pathname === '/oauth2/approve' || url.pathname === '/oauth2/deny') && req.method === 'POST') {
      const form = new URLSearchParams((await readBody(req)).toString('utf8'));
      const p = authorizeParams(res, form);
      if (!p) return undefined;
      if (url.pathname === '/oauth2/deny') {
        log('alipay: the user denied the authorization');
        return redirectBack(res, p.redirectUri, {
          error: 'access_denied',
          error_description: 'The user denied the authorization on Alipay',
          state: p.state,
        });
      }
      const authCode = randomBytes(16).toString('hex');
      codes.set(authCode, {
        appId: p.appId,
        userId: ALIPAY_TEST_ACCOUNT.user_id,
        scope: p.scope,
        expiresAt: Date.now() + codeTtl * 1000,
        used: false,
      });
      log('alipay: the user approved the authorization (auth_code issued)');
      return redirectBack(res, p.redirectUri, {
        app_id: p.appId,
        source: 'alipay_wallet',
        scope: p.scope,
        auth_code: authCode,
        state: p.state,
      });
    }
    if (url.pathname === '/' && req.method === 'GET') {
      return reply(res, 200, 'text/html; charset=utf-8', page('Alipay stand-in', `<h1>Alipay stand-in</h1>
<p>Registered app: <code>${htmlEscape(app.appId)}</code></p>
<p>Authorization redirect URI: <code>${htmlEscape(redirectUri())}</code></p>
<p>Alipay public key (verify response signatures with it): <code id="alipay-public-key">${htmlEscape(alipayPublicKey)}</code></p>`));
    }
    return reply(res, 404, 'text/plain; charset=utf-8', 'not found');
  }

  return {
    /** node:http request listener */
    async listener(req, res) {
      try {
        await handle(req, res);
      } catch (err) {
        log(`alipay: stand-in error: ${err.stack ?? err}`);
        if (!res.headersSent) reply(res, err.status ?? 500, 'text/plain; charset=utf-8', 'stand-in error');
        else res.destroy();
      }
    },
    alipayPublicKey,
    account: ALIPAY_TEST_ACCOUNT,
    app,
  };
}
