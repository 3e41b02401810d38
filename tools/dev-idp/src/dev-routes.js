// Test observability (DEV ONLY): a log of every request the IdP received, and
// the --slow-token-ms delay.
//
//   GET  /__dev/requests  → JSON array, in arrival order, of
//                           { method, path, grant_type, organization_id?, resource? }
//   POST /__dev/reset     → clears the log (204)
//   GET  /__dev/stats     → { total, by_path, by_method_and_path, by_grant_type }
//   GET  /__dev/alipay    → the Alipay connector and stand-in set-up (no private key)
//
// `path` has no query string; `grant_type` is the form parameter of
// POST /oidc/token requests (null for every other request); `organization_id`
// and `resource` are recorded only for /oidc/token when present. Token values,
// codes, verifiers and secrets are never recorded. Requests to /__dev/* are not
// recorded themselves. Served to loopback peers only.

const TOKEN_PATH = '/oidc/token';
const BODY_LIMIT = 56 * 1024; // oidc-provider's own limit

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

function isLoopback(address = '') {
  return address === '::1'
    || address.startsWith('127.')
    || address.startsWith('::ffff:127.');
}

export function createRequestLog() {
  let entries = [];
  return {
    record(entry) {
      entries.push(entry);
    },
    list() {
      return entries.map((e) => ({ ...e }));
    },
    reset() {
      entries = [];
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
      };
    },
  };
}

/** Reads the token request body so it can be logged; oidc-provider then uses req.body. */
async function readTokenBody(ctx) {
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

function single(values) {
  if (values.length === 0) return undefined;
  return values.length === 1 ? values[0] : values;
}

/**
 * Koa middleware: records every non-/__dev/ request, applies the token delay,
 * and serves the /__dev/ endpoints.
 */
export function createDevMiddleware({
  requestLog, slowTokenMs = 0, log, logRequests = false, info = {},
}) {
  return async function devMiddleware(ctx, next) {
    const { path } = ctx;

    if (path === '/__dev' || path.startsWith('/__dev/')) {
      if (!isLoopback(ctx.socket.remoteAddress)) {
        ctx.status = 403;
        ctx.body = { error: 'forbidden', error_description: '/__dev is loopback only' };
        return;
      }
      ctx.set('cache-control', 'no-store');
      if (ctx.method === 'GET' && path === '/__dev/requests') {
        ctx.body = requestLog.list();
      } else if (ctx.method === 'GET' && path === '/__dev/stats') {
        ctx.body = requestLog.stats();
      } else if (ctx.method === 'GET' && Object.hasOwn(info, path)) {
        ctx.body = info[path]();
      } else if (ctx.method === 'POST' && path === '/__dev/reset') {
        requestLog.reset();
        ctx.status = 204;
      } else {
        ctx.status = 404;
        ctx.body = { error: 'not_found' };
      }
      return;
    }

    const entry = { method: ctx.method, path, grant_type: null };
    const isToken = path === TOKEN_PATH && ctx.method === 'POST';
    if (isToken) {
      const form = await readTokenBody(ctx);
      if (form) {
        entry.grant_type = form.get('grant_type');
        const organizationId = form.get('organization_id');
        if (organizationId) entry.organization_id = organizationId;
        const resource = single(form.getAll('resource'));
        if (resource !== undefined) entry.resource = resource;
      }
    }
    requestLog.record(entry);

    const started = Date.now();
    if (isToken && slowTokenMs > 0) await sleep(slowTokenMs);
    try {
      await next();
    } finally {
      if (logRequests) {
        log(`${entry.method} ${path}${entry.grant_type ? ` grant_type=${entry.grant_type}` : ''} → ${ctx.status} (${Date.now() - started} ms)`);
      }
    }
  };
}
