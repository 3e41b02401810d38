// Routes the Alipay connector's HTTP calls to the local stand-in, inside the IdP
// process, without touching the connector.
//
// The connector (got 14 over node:http/https) POSTs to
// https://openapi.alipay.com/gateway.do. nock intercepts that host and forwards
// each request (method, path, query, headers, body) to the stand-in's gateway on
// loopback, then hands the stand-in's answer back to got unchanged. Every other
// non-loopback connection is refused (nock.disableNetConnect), so nothing can
// leak to the internet.
//
// The browser-facing authorize URL is not an HTTP call of the connector: the
// IdP rewrites it (rewriteAuthorizationUri) when it redirects the browser.
//
// Gateway answers are also recorded in the AsyncLocalStorage store of the
// caller (observeGateway), so the IdP can explain a failed sign-in with
// Alipay's own code/sub_code/sub_msg, which the connector reduces to `msg`.

import { AsyncLocalStorage } from 'node:async_hooks';
import { request as httpRequest } from 'node:http';

import nock from 'nock';

export const ALIPAY_OPENAPI_ORIGIN = 'https://openapi.alipay.com';
export const ALIPAY_OPENAUTH_ORIGIN = 'https://openauth.alipay.com';

const observations = new AsyncLocalStorage();

/** Runs fn; returns { result | error, gateway: [{ method, status, body }] } */
export async function observeGateway(fn) {
  const gateway = [];
  try {
    const result = await observations.run(gateway, fn);
    return { result, gateway };
  } catch (error) {
    return { error, gateway };
  }
}

function forward(target, request, body) {
  return new Promise((resolve, reject) => {
    const headers = Object.fromEntries(request.headers);
    headers.host = target.host;
    headers['content-length'] = String(body.length);
    const req = httpRequest(target, { method: request.method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Installs the interception. `standInOrigin()` is the stand-in's loopback
 * origin as the IdP process reaches it (e.g. http://127.0.0.1:40123).
 */
export function routeAlipayToStandIn({ standInOrigin, log }) {
  const allowed = () => new URL(standInOrigin()).host;
  nock.disableNetConnect();
  // Loopback stays reachable (the stand-in itself, and anything else local).
  nock.enableNetConnect((host) => host === allowed() || /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)(:\d+)?$/.test(host));

  const handler = async (request) => {
    const incoming = new URL(request.url);
    const target = new URL(`${incoming.pathname}${incoming.search}`, standInOrigin());
    const body = Buffer.from(await request.arrayBuffer());
    let answer;
    try {
      answer = await forward(target, request, body);
    } catch (err) {
      log(`alipay: cannot reach the stand-in at ${target.origin}: ${err.code ?? err.message}`);
      throw err;
    }
    const method = incoming.searchParams.get('method') ?? new URLSearchParams(body.toString('latin1')).get('method');
    observations.getStore()?.push({ method, status: answer.status, body: answer.body.toString('utf8') });
    const headers = {};
    for (const [k, v] of Object.entries(answer.headers)) {
      if (!['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date'].includes(k)) headers[k] = v;
    }
    return [answer.status, answer.body, headers];
  };
  const scope = nock(ALIPAY_OPENAPI_ORIGIN).persist();
  scope.post(() => true).query(true).reply(handler);
  scope.get(() => true).query(true).reply(handler);
}

/**
 * The authorize URL the connector returns points at Alipay's real host, which
 * the browser cannot reach here: point it at the stand-in, keeping the path and
 * every query parameter byte for byte.
 */
export function rewriteAuthorizationUri(uri, standInPublicOrigin) {
  const url = new URL(uri);
  if (url.origin !== ALIPAY_OPENAUTH_ORIGIN) return uri;
  return `${standInPublicOrigin}${uri.slice(ALIPAY_OPENAUTH_ORIGIN.length)}`;
}
