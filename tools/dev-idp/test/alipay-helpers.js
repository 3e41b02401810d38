// Helpers for the Alipay tests: drive the sign-in page, the Alipay stand-in and
// the social callback over HTTP, the way a browser would (no JavaScript is
// needed by any of these pages).

import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  authorizeUrl, CookieJar, follow, pkce, request, REDIRECT_URI, tokenRequest,
} from './helpers.js';

export const ALIPAY_USER_ID = '2088000000000001';
export const ALIPAY_NICK_NAME = '支付宝用户';

const tmp = mkdtempSync(join(tmpdir(), 'dev-idp-alipay-test-'));
let fileCounter = 0;

/** Writes a JSON file for --alipay-config / --alipay-app and returns its path. */
export function jsonFile(value) {
  fileCounter += 1;
  const path = join(tmp, `config-${fileCounter}.json`);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return path;
}

/** `openssl genrsa -out private.pem 2048` (pkcs 8 = OpenSSL 3, pkcs 1 = OpenSSL 1.1). */
export function rsaKeyPair({ pkcs = 8, bits = 2048 } = {}) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    privateKeyEncoding: { type: pkcs === 1 ? 'pkcs1' : 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  // The guide: remove header, footer and newlines for Alipay's console.
  const registered = publicKey.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
  return { privateKey, publicKey, registered };
}

export function alipayConfig(overrides = {}) {
  return {
    appId: '2021000000000001',
    privateKey: rsaKeyPair().privateKey,
    signType: 'RSA2',
    charset: 'utf8',
    scope: 'auth_user',
    ...overrides,
  };
}

/** All hidden inputs of the form with the given id, and its action. */
export function parseForm(html, id, base) {
  const form = new RegExp(`<form id="${id}" method="post" action="([^"]+)"[^>]*>([\\s\\S]*?)</form>`).exec(html);
  if (!form) throw new Error(`no form#${id} in:\n${html.slice(0, 2000)}`);
  const fields = {};
  for (const m of form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[m[1]] = m[2].replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'")
      .replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  }
  return { action: new URL(form[1].replaceAll('&amp;', '&'), base).href, fields };
}

export function errorText(html) {
  const m = /<p id="sign-in-error"[^>]*data-code="([^"]*)"[^>]*>([\s\S]*?)<\/p>/.exec(html);
  return m ? { code: m[1], message: m[2].replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&') } : undefined;
}

/**
 * Starts an authorization request and returns where the browser ends up
 * before Alipay: { jar, verifier, state, page: { url, html, status } } or, with
 * direct sign-in, { alipayUrl }.
 */
export async function startAuthorization(issuer, { extra = {}, jar = new CookieJar(), redirectUri = REDIRECT_URI } = {}) {
  const { verifier, challenge } = pkce();
  const { url, state } = authorizeUrl(issuer, { challenge, extra, redirectUri });
  const res = await follow(jar, url);
  if (res.callback) {
    return { jar, verifier, state, redirectUri, nextUrl: res.callback };
  }
  return {
    jar, verifier, state, redirectUri, page: { url: res.url, status: res.response.status, html: await res.response.text() },
  };
}

/** Clicks "Continue with Alipay" on the sign-in page: returns the stand-in's authorize URL. */
export async function clickAlipay(flow) {
  const { action } = parseForm(flow.page.html, 'social-alipay-form', flow.page.url);
  const res = await follow(flow.jar, action, { method: 'POST' });
  if (!res.callback) throw new Error(`no redirect to Alipay (status ${res.response.status})`);
  return res.callback;
}

/**
 * On the stand-in: opens the authorize page and clicks approve (or deny).
 * Returns the URL Alipay redirects the browser to (the IdP's /callback/<id>).
 */
export async function approveOnAlipay(alipayUrl, { deny = false } = {}) {
  const page = await fetch(alipayUrl);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`Alipay authorize page: ${page.status}\n${html}`);
  const { action, fields } = parseForm(html, deny ? 'alipay-deny-form' : 'alipay-approve-form', alipayUrl);
  const res = await request(null, action, { method: 'POST', form: fields });
  if (res.status !== 302) throw new Error(`Alipay approve: ${res.status}`);
  return res.headers.get('location');
}

/** Follows the Alipay callback in the IdP: { callback } at the app or { page } (the sign-in page with an error). */
export async function finishAtIdp(flow, callbackUrl) {
  const res = await follow(flow.jar, callbackUrl);
  if (res.callback) return { callback: new URL(res.callback) };
  return { page: { url: res.url, status: res.response.status, html: await res.response.text() } };
}

export async function exchange(issuer, flow, callback) {
  if (callback.searchParams.get('error')) {
    throw new Error(`authorization error: ${callback.searchParams.get('error')}: ${callback.searchParams.get('error_description')}`);
  }
  if (callback.searchParams.get('state') !== flow.state) throw new Error('state mismatch');
  const { status, body } = await tokenRequest(issuer, {
    grant_type: 'authorization_code',
    code: callback.searchParams.get('code'),
    redirect_uri: flow.redirectUri,
    code_verifier: flow.verifier,
  });
  if (status !== 200) throw new Error(`token exchange failed: ${status} ${JSON.stringify(body)}`);
  return body;
}

/** The whole Alipay sign-in: sign-in page → Continue with Alipay → approve → tokens. */
export async function alipaySignIn(issuer, options = {}) {
  const flow = await startAuthorization(issuer, options);
  const alipayUrl = flow.nextUrl ?? await clickAlipay(flow);
  const back = await approveOnAlipay(alipayUrl);
  const done = await finishAtIdp(flow, back);
  if (!done.callback) {
    throw new Error(`Alipay sign-in failed: ${JSON.stringify(errorText(done.page.html))}`);
  }
  return { flow, tokens: await exchange(issuer, flow, done.callback), alipayUrl };
}
