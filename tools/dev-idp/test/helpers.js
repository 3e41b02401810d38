// Test helpers: start the dev IdP as a child process, a path-aware cookie jar,
// and a headless user agent that follows redirects like the SDK's tests will.

import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const BIN = fileURLToPath(new URL('../bin/dev-idp', import.meta.url));
export const CLIENT_ID = 'dev-native-app';
export const REDIRECT_URI = 'com.example.app://callback';

/**
 * Spawns bin/dev-idp --port 0 [...args] and resolves once the ready line is read.
 * Returns { endpoint, issuer, child, stderr(), stop() }.
 */
export async function startIdp(args = [], { stdin = 'ignore' } = {}) {
  const child = spawn(BIN, ['--port', '0', ...args], { stdio: [stdin, 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { stderr += d; });
  const lines = createInterface({ input: child.stdout });
  const stdoutLines = [];
  const ready = new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      stdoutLines.push(line);
      const m = /^DEV_IDP_READY endpoint=(http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`dev-idp exited early (${code}): ${stderr}`)));
  });
  const timeout = new Promise((_, reject) => {
    setTimeout(() => reject(new Error(`dev-idp not ready in time: ${stderr}`)), 60_000).unref();
  });
  const endpoint = await Promise.race([ready, timeout]);
  return {
    endpoint,
    issuer: `${endpoint}/oidc`,
    child,
    stdoutLines,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      return code;
    },
  };
}

/** A minimal RFC 6265 cookie jar for a single host: honours Path, Max-Age, Expires. */
export class CookieJar {
  #cookies = new Map(); // `${path}\0${name}` → { name, value, path, expires }

  static defaultPath(url) {
    const { pathname } = new URL(url);
    if (!pathname.startsWith('/') || pathname.lastIndexOf('/') === 0) return '/';
    return pathname.slice(0, pathname.lastIndexOf('/'));
  }

  static pathMatches(requestPath, cookiePath) {
    if (requestPath === cookiePath) return true;
    if (!requestPath.startsWith(cookiePath)) return false;
    return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
  }

  store(url, response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attrs] = header.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = CookieJar.defaultPath(url);
      let expires = Infinity;
      for (const attr of attrs) {
        const [k, ...v] = attr.split('=');
        const key = k.toLowerCase();
        const val = v.join('=');
        if (key === 'path' && val.startsWith('/')) path = val;
        if (key === 'max-age') expires = Date.now() + Number(val) * 1000;
        if (key === 'expires' && expires === Infinity) expires = Date.parse(val);
      }
      const id = `${path}\0${name}`;
      if (expires <= Date.now()) this.#cookies.delete(id);
      else this.#cookies.set(id, { name, value, path, expires });
    }
  }

  header(url) {
    const { pathname } = new URL(url);
    const now = Date.now();
    return [...this.#cookies.values()]
      .filter((c) => c.expires > now && CookieJar.pathMatches(pathname, c.path))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  names() {
    return [...this.#cookies.values()].map((c) => `${c.name}@${c.path}`);
  }
}

/** fetch with the jar and manual redirects. */
export async function request(jar, url, { method = 'GET', form, headers = {} } = {}) {
  const h = { ...headers };
  const cookie = jar?.header(url);
  if (cookie) h.cookie = cookie;
  let body;
  if (form) {
    body = new URLSearchParams(form).toString();
    h['content-type'] = 'application/x-www-form-urlencoded';
  }
  const res = await fetch(url, { method, headers: h, body, redirect: 'manual' });
  jar?.store(url, res);
  return res;
}

/**
 * Follows redirects (resolving relative Locations) until a non-redirect answer
 * or a Location outside http://127.0.0.1:<idp port> (the app's redirect URI).
 * Returns { response, url, callback } — callback is the final app URL if reached.
 */
export async function follow(jar, url, options = {}, { origin = new URL(url).origin, max = 20 } = {}) {
  let current = url;
  let opts = options;
  for (let i = 0; i < max; i += 1) {
    const response = await request(jar, current, opts);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.arrayBuffer();
      const next = new URL(location, current);
      if (next.origin !== origin) return { response, url: current, callback: next.href };
      current = next.href;
      opts = {}; // 303 (and 302 after POST): GET
      continue;
    }
    return { response, url: current, callback: undefined };
  }
  throw new Error('too many redirects');
}

export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

/**
 * Builds an authorization URL. `resources` is an array of resource indicators.
 */
export function authorizeUrl(issuer, {
  scope = 'openid offline_access profile',
  resources = [],
  prompt = 'consent',
  devLogin,
  redirectUri = REDIRECT_URI,
  state = randomBytes(8).toString('hex'),
  challenge,
  extra = {},
}) {
  const u = new URL(`${issuer}/auth`);
  u.searchParams.set('client_id', CLIENT_ID);
  u.searchParams.set('redirect_uri', redirectUri);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('scope', scope);
  u.searchParams.set('state', state);
  if (challenge) {
    u.searchParams.set('code_challenge', challenge);
    u.searchParams.set('code_challenge_method', 'S256');
  }
  if (prompt) u.searchParams.set('prompt', prompt);
  for (const r of resources) u.searchParams.append('resource', r);
  if (devLogin) u.searchParams.set('dev_login', devLogin);
  for (const [k, v] of Object.entries(extra)) u.searchParams.set(k, v);
  return { url: u.href, state };
}

/** POSTs a form to the token endpoint; returns { status, body }. */
export async function tokenRequest(issuer, form) {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, ...form }).toString(),
  });
  return { status: res.status, body: await res.json() };
}

/**
 * Full headless sign-in with dev_login: returns { tokens, callback, jar }.
 */
export async function signIn(issuer, { user = 'alice', jar = new CookieJar(), ...options } = {}) {
  const { verifier, challenge } = pkce();
  const redirectUri = options.redirectUri ?? REDIRECT_URI;
  const { url, state } = authorizeUrl(issuer, { ...options, devLogin: user, challenge });
  const { callback } = await follow(jar, url);
  if (!callback) throw new Error('no callback reached');
  const cb = new URL(callback);
  if (cb.searchParams.get('error')) {
    throw new Error(`authorization error: ${cb.searchParams.get('error')} ${cb.searchParams.get('error_description')}`);
  }
  if (cb.searchParams.get('state') !== state) throw new Error('state mismatch');
  const { status, body } = await tokenRequest(issuer, {
    grant_type: 'authorization_code',
    code: cb.searchParams.get('code'),
    redirect_uri: redirectUri,
    code_verifier: verifier,
  });
  if (status !== 200) throw new Error(`token exchange failed: ${status} ${JSON.stringify(body)}`);
  return { tokens: body, callback: cb, jar, state };
}

export function decodeJwtPart(jwt, index) {
  return JSON.parse(Buffer.from(jwt.split('.')[index], 'base64url').toString('utf8'));
}

/**
 * Extracts the logout form from an end_session page: the first POST form's
 * action and all its hidden inputs. With a session the page is the dev IdP's
 * auto-submitting logout page (form#op.logoutForm: xsrf + logout=yes); without
 * one it is oidc-provider's auto-submitting "Submitting Callback" page (same
 * fields, no form id). Both are handled the same way.
 */
export function parseLogoutForm(html) {
  const form = /<form\b[^>]*\bmethod="post"[^>]*\baction="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error('no logout form');
  const fields = {};
  for (const m of form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\s*\/?>/g)) {
    fields[m[1]] = m[2];
  }
  return { action: form[1].replaceAll('&amp;', '&'), fields };
}

/** The request log's fingerprint of a token: the first 12 hex characters of its SHA-256. */
export function fingerprint(token) {
  return createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 12);
}

/** Calls a /__dev route: returns { status, body } (body parsed as JSON when there is one). */
export async function dev(endpoint, path, { method = 'GET', json } = {}) {
  const res = await fetch(`${endpoint}${path}`, {
    method,
    headers: json === undefined ? {} : { 'content-type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Polls /__dev/requests until `predicate(entries)` holds (for state that changes after the answer). */
export async function eventually(endpoint, predicate, { timeoutMs = 5_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await dev(endpoint, '/__dev/requests');
    if (predicate(body)) return body;
    if (Date.now() > deadline) throw new Error(`condition not met; requests: ${JSON.stringify(body)}`);
    await new Promise((r) => { setTimeout(r, 25); });
  }
}
