// Test observability and control (DEV ONLY; none of this exists in Logto).
//
//   GET    /__dev/requests   → JSON array, in arrival order, of every request received (see recordEntry)
//   POST   /__dev/reset      → clears the log (204)
//   GET    /__dev/stats      → { total, by_path, by_method_and_path, by_grant_type, refresh_token_reuse }
//   GET    /__dev/wait?…     → answers once the log holds enough matching requests (or 408 on timeout)
//   GET    /__dev/faults     → the fault knobs (faults.js)
//   POST   /__dev/faults     → { "<endpoint>": knob | null, … } sets or clears knobs
//   DELETE /__dev/faults     → clears every knob (back to the start-up flags)
//   POST   /__dev/rotate-keys → { "alg": "EC" | "RSA" } rotates the signing keys like Logto
//   GET/POST /__dev/post-logout-redirect-uris → registers an exact post-logout redirect URI
//   GET    /__dev/alipay     → the Alipay connector and stand-in set-up (no private key)
//
// Token values, codes, verifiers and secrets are never recorded: a presented or
// issued token appears only as a fingerprint, the first 12 hex characters of
// its SHA-256. Requests to /__dev/* are not recorded themselves. Served to
// loopback peers only.

import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';

import {
  FAULT_ENDPOINTS, FaultSpecError, holdUnlessClosed, parseFaultSpec,
} from './faults.js';
import { KEY_TYPES } from './keys.js';

const TOKEN_PATH = '/oidc/token';
const REVOCATION_PATH = '/oidc/token/revocation';
const BODY_LIMIT = 56 * 1024; // oidc-provider's own limit
const JSON_LIMIT = 16 * 1024;
const MAX_WAIT_MS = 10 * 60 * 1000;

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** A non-secret fingerprint of a token: the first 12 hex characters of its SHA-256. */
export function fingerprint(value) {
  return createHash('sha256').update(String(value), 'utf8').digest('hex').slice(0, 12);
}

function isLoopback(address = '') {
  return address === '::1'
    || address.startsWith('127.')
    || address.startsWith('::ffff:127.');
}

export function createRequestLog() {
  let entries = [];
  const events = new EventEmitter();
  events.setMaxListeners(0);
  return {
    record(entry) {
      entries.push(entry);
      events.emit('change');
    },
    /** Call after changing a recorded entry (status, reuse...): wakes /__dev/wait. */
    touched() {
      events.emit('change');
    },
    list() {
      return entries.map((e) => structuredClone(e));
    },
    reset() {
      entries = [];
      events.emit('change');
    },
    stats() {
      const count = (key) => {
        const out = {};
        for (const e of entries) {
          const k = key(e);
          if (k !== null && k !== undefined) out[k] = (out[k] ?? 0) + 1;
        }
        return out;
      };
      return {
        total: entries.length,
        by_path: count((e) => e.path),
        by_method_and_path: count((e) => `${e.method} ${e.path}`),
        by_grant_type: count((e) => e.grant_type),
        refresh_token_reuse: entries.filter((e) => e.reused === true).length,
      };
    },
    /**
     * Resolves with the matching entries once there are at least `count`, or
     * with `{ timedOut: true }` after `timeoutMs` (or when `signal` closes).
     */
    waitFor(matches, count, timeoutMs, res) {
      return new Promise((resolve) => {
        const check = () => {
          const found = entries.filter(matches);
          if (found.length >= count) {
            done({ matched: found });
            return true;
          }
          return false;
        };
        let timer;
        const onClose = () => done({ matched: entries.filter(matches), timedOut: true });
        function done(result) {
          clearTimeout(timer);
          events.off('change', check);
          res.off('close', onClose);
          resolve(result);
        }
        if (check()) return;
        timer = setTimeout(() => done({ matched: entries.filter(matches), timedOut: true }), timeoutMs);
        events.on('change', check);
        res.on('close', onClose);
      });
    },
  };
}

/** Reads a form body so it can be logged; oidc-provider then uses req.body. */
async function readFormBody(ctx) {
  if (!ctx.is('application/x-www-form-urlencoded')) return undefined;
  const chunks = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += chunk.length;
    if (size > BODY_LIMIT) ctx.throw(413, 'request entity too large');
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  // oidc-provider's body parser falls back to req.body when the stream was consumed.
  ctx.req.body = body;
  return new URLSearchParams(body.toString('utf8'));
}

/** Reads a small JSON body of a /__dev request ({} when empty). */
async function readJson(ctx) {
  const chunks = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += chunk.length;
    if (size > JSON_LIMIT) ctx.throw(413, 'request entity too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    const err = new Error('the body is not valid JSON');
    err.status = 400;
    throw err;
  }
}

function single(values) {
  if (values.length === 0) return undefined;
  return values.length === 1 ? values[0] : values;
}

function badRequest(ctx, description) {
  ctx.status = 400;
  ctx.body = { error: 'invalid_request', error_description: description };
}

function parseBool(value) {
  return value === '1' || value === 'true' || value === 'yes';
}

/**
 * Koa middleware: records every non-/__dev/ request, applies the fault knobs,
 * and serves the /__dev/ endpoints.
 *
 * @param {object} options
 * @param {ReturnType<typeof createRequestLog>} options.requestLog
 * @param {ReturnType<import('./faults.js').createFaults>} options.faults
 * @param {object} [options.actions]  { rotateKeys(type), keys(), registerPostLogoutRedirectUri(uri), postLogoutRedirectUris() }
 * @param {Record<string, () => object>} [options.info]  extra GET routes (path → JSON)
 */
export function createDevMiddleware({
  requestLog, faults, actions = {}, log, logRequests = false, info = {},
}) {
  async function devRoute(ctx) {
    const { path, method } = ctx;
    if (method === 'GET' && path === '/__dev/requests') {
      ctx.body = requestLog.list();
    } else if (method === 'GET' && path === '/__dev/stats') {
      ctx.body = requestLog.stats();
    } else if (method === 'POST' && path === '/__dev/reset') {
      requestLog.reset();
      ctx.status = 204;
    } else if (method === 'GET' && path === '/__dev/wait') {
      await waitRoute(ctx);
    } else if (path === '/__dev/faults') {
      await faultsRoute(ctx);
    } else if (method === 'POST' && path === '/__dev/rotate-keys' && actions.rotateKeys) {
      const body = await readJson(ctx);
      const alg = body.alg ?? 'EC';
      if (!KEY_TYPES.includes(alg)) return badRequest(ctx, `alg must be one of ${KEY_TYPES.map((t) => JSON.stringify(t)).join(', ')}`);
      ctx.body = await actions.rotateKeys(alg);
      log(`signing keys rotated: new ${alg} key ${ctx.body.kid} is current (${ctx.body.id_token_signing_alg_values_supported.join(', ')})`);
    } else if (method === 'GET' && path === '/__dev/keys' && actions.keys) {
      ctx.body = actions.keys();
    } else if (path === '/__dev/post-logout-redirect-uris' && actions.registerPostLogoutRedirectUri) {
      if (method === 'POST') {
        const { uri } = await readJson(ctx);
        if (typeof uri !== 'string' || !URL.canParse(uri)) return badRequest(ctx, 'uri must be an absolute URI');
        ctx.body = await actions.registerPostLogoutRedirectUri(uri);
      } else if (method === 'GET') {
        ctx.body = actions.postLogoutRedirectUris();
      } else {
        ctx.status = 405;
      }
    } else if (method === 'GET' && Object.hasOwn(info, path)) {
      ctx.body = info[path]();
    } else {
      ctx.status = 404;
      ctx.body = { error: 'not_found' };
    }
    return undefined;
  }

  async function faultsRoute(ctx) {
    if (ctx.method === 'GET') {
      ctx.body = faults.state();
      return;
    }
    if (ctx.method === 'DELETE') {
      faults.reset();
      ctx.body = faults.state();
      return;
    }
    if (ctx.method !== 'POST') {
      ctx.status = 405;
      return;
    }
    const body = await readJson(ctx);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      badRequest(ctx, 'expected a JSON object { "<endpoint>": knob | null }');
      return;
    }
    const changes = {};
    try {
      for (const [endpoint, spec] of Object.entries(body)) {
        if (!Object.hasOwn(FAULT_ENDPOINTS, endpoint)) {
          throw new FaultSpecError(`unknown endpoint ${JSON.stringify(endpoint)} (known: ${Object.keys(FAULT_ENDPOINTS).join(', ')})`);
        }
        changes[endpoint] = spec === null ? null : parseFaultSpec(endpoint, spec);
      }
    } catch (err) {
      if (err instanceof FaultSpecError) {
        badRequest(ctx, err.message);
        return;
      }
      throw err;
    }
    faults.update(changes);
    log(`faults: ${JSON.stringify(faults.state())}`);
    ctx.body = faults.state();
  }

  async function waitRoute(ctx) {
    const q = ctx.query;
    const count = q.count === undefined ? 1 : Number(q.count);
    const timeoutMs = q.timeout_ms === undefined ? 10_000 : Number(q.timeout_ms);
    if (!Number.isInteger(count) || count < 1) return badRequest(ctx, 'count must be a positive integer');
    if (!Number.isInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > MAX_WAIT_MS) {
      return badRequest(ctx, `timeout_ms must be an integer between 0 and ${MAX_WAIT_MS}`);
    }
    const processed = parseBool(q.processed);
    const matches = (e) => (q.path === undefined || e.path === q.path)
      && (q.method === undefined || e.method === q.method.toUpperCase())
      && (q.grant_type === undefined || e.grant_type === q.grant_type)
      && (q.token_fp === undefined || e.token_fp === q.token_fp)
      && (!processed || e.status !== null);
    const { matched, timedOut } = await requestLog.waitFor(matches, count, timeoutMs, ctx.res);
    ctx.status = timedOut ? 408 : 200;
    ctx.body = { matched: matched.length, requests: matched.map((e) => structuredClone(e)) };
    return undefined;
  }

  return async function devMiddleware(ctx, next) {
    const { path } = ctx;

    if (path === '/__dev' || path.startsWith('/__dev/')) {
      if (!isLoopback(ctx.socket.remoteAddress)) {
        ctx.status = 403;
        ctx.body = { error: 'forbidden', error_description: '/__dev is loopback only' };
        return;
      }
      ctx.set('cache-control', 'no-store');
      await devRoute(ctx);
      return;
    }

    const entry = { method: ctx.method, path, grant_type: null };
    const isToken = path === TOKEN_PATH && ctx.method === 'POST';
    const isRevocation = path === REVOCATION_PATH && ctx.method === 'POST';
    if (isToken || isRevocation) {
      const form = await readFormBody(ctx);
      if (form && isToken) {
        entry.grant_type = form.get('grant_type');
        const organizationId = form.get('organization_id');
        if (organizationId) entry.organization_id = organizationId;
        const resource = single(form.getAll('resource'));
        if (resource !== undefined) entry.resource = resource;
        if (entry.grant_type === 'refresh_token') {
          const presented = form.get('refresh_token');
          entry.refresh_token_fp = presented ? fingerprint(presented) : null;
          entry.reused = null; // set when the refresh grant examines the token
        }
      }
      if (form && isRevocation) {
        const token = form.get('token');
        entry.token_fp = token ? fingerprint(token) : null;
      }
    }
    entry.status = null;
    ctx.state.devRequest = entry;
    requestLog.record(entry);

    const started = Date.now();
    const endpoint = faults.endpointOf(ctx.method, path);
    const knob = endpoint ? faults.take(endpoint, { grantType: entry.grant_type }) : undefined;
    if (knob) entry.fault = knob;
    try {
      if (knob?.hang) {
        const why = await faults.waitForRelease(endpoint, ctx.res);
        if (why === 'closed') {
          entry.aborted = true;
          requestLog.touched();
          return;
        }
      }
      if (knob?.delay_ms) await sleep(knob.delay_ms);
      if (knob?.status !== undefined) {
        ctx.status = knob.status;
        ctx.set('cache-control', 'no-store');
        ctx.body = knob.body ?? {
          error: knob.status >= 500 ? 'temporarily_unavailable' : 'invalid_request',
          error_description: `HTTP ${knob.status} injected by the dev IdP (/__dev/faults)`,
        };
      } else {
        await next();
      }
      entry.status = ctx.status;
      const issued = isToken && ctx.body && typeof ctx.body === 'object' && !Buffer.isBuffer(ctx.body)
        ? ctx.body.refresh_token : undefined;
      if (typeof issued === 'string') entry.issued_refresh_token_fp = fingerprint(issued);
      requestLog.touched();
      if (knob?.delay_after_ms) await holdUnlessClosed(knob.delay_after_ms, ctx.res);
      if (ctx.res.destroyed || ctx.res.socket?.destroyed) {
        entry.aborted = true;
        requestLog.touched();
      }
    } catch (err) {
      entry.status = err.status ?? err.statusCode ?? 500;
      requestLog.touched();
      throw err;
    } finally {
      if (logRequests) {
        log(`${entry.method} ${path}${entry.grant_type ? ` grant_type=${entry.grant_type}` : ''}${entry.reused ? ' (reused refresh token)' : ''} → ${entry.aborted ? 'client gone' : ctx.status} (${Date.now() - started} ms)`);
      }
    }
  };
}

/** Called by the refresh grant inside its queue (refresh-token-grant.js `observe`). */
export function observeRefresh(requestLog) {
  return (ctx, { reused }) => {
    const entry = ctx.state?.devRequest;
    if (entry && entry.grant_type === 'refresh_token') {
      entry.reused = reused;
      requestLog.touched();
    }
  };
}
