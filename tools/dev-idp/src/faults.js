// Deterministic fault injection for race and failure tests (DEV ONLY): delays,
// hangs and error statuses on a few endpoints, set at run time through
// /__dev/faults (see dev-routes.js and the README).
//
// A knob belongs to one endpoint and says what happens to the requests that
// match it, in this order:
//   hang            hold the request before processing until the client closes
//                   the connection (the request is then never processed) or the
//                   endpoint's knob is changed or cleared (it is then processed
//                   and answered normally);
//   delay_ms        hold the request this long, then go on;
//   status          answer this HTTP status (with `body`, or an OAuth-style
//                   error body) instead of processing the request;
//   delay_after_ms  process the request (a refresh token is rotated, a token
//                   revoked...), then hold the answer this long: a client that
//                   stops waiting loses an answer the server has acted on.
// `grant_type` (token endpoint only) limits the knob to one grant type;
// `count` limits it to the next N matching requests, after which the endpoint
// goes back to its start-up knob (--slow-token-ms) or none. Without `count` it
// stays until changed or cleared. Setting an endpoint's knob replaces the one
// it had.

import { EventEmitter } from 'node:events';

/** Endpoint name → which requests it covers (paths as the outer app sees them). */
export const FAULT_ENDPOINTS = Object.freeze({
  token: { method: 'POST', path: '/oidc/token' },
  revocation: { method: 'POST', path: '/oidc/token/revocation' },
  jwks: { method: 'GET', path: '/oidc/jwks' },
  discovery: { method: 'GET', path: '/oidc/.well-known/openid-configuration' },
  userinfo: { path: '/oidc/me' },
});

const MAX_MS = 10 * 60 * 1000;

export class FaultSpecError extends Error {}

function nonNegativeInt(name, value, max = MAX_MS) {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new FaultSpecError(`${name} must be an integer between 0 and ${max}`);
  }
  return value;
}

/** Validates one endpoint's knob (JSON from the client) and returns a clean copy. */
export function parseFaultSpec(endpoint, raw) {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new FaultSpecError(`${endpoint}: expected an object or null`);
  }
  const allowed = new Set(['delay_ms', 'delay_after_ms', 'hang', 'status', 'body', 'count', 'grant_type']);
  for (const key of Object.keys(raw)) {
    if (!allowed.has(key)) throw new FaultSpecError(`${endpoint}.${key}: unknown field (allowed: ${[...allowed].join(', ')})`);
  }
  const spec = {};
  if (raw.delay_ms !== undefined) spec.delay_ms = nonNegativeInt(`${endpoint}.delay_ms`, raw.delay_ms);
  if (raw.delay_after_ms !== undefined) spec.delay_after_ms = nonNegativeInt(`${endpoint}.delay_after_ms`, raw.delay_after_ms);
  if (raw.hang !== undefined) {
    if (typeof raw.hang !== 'boolean') throw new FaultSpecError(`${endpoint}.hang must be a boolean`);
    if (raw.hang) spec.hang = true;
  }
  if (raw.status !== undefined) {
    if (!Number.isInteger(raw.status) || raw.status < 200 || raw.status > 599) {
      throw new FaultSpecError(`${endpoint}.status must be an HTTP status between 200 and 599`);
    }
    spec.status = raw.status;
  }
  if (raw.body !== undefined) {
    if (spec.status === undefined) throw new FaultSpecError(`${endpoint}.body needs status`);
    spec.body = raw.body;
  }
  if (raw.count !== undefined) {
    if (!Number.isInteger(raw.count) || raw.count < 1) throw new FaultSpecError(`${endpoint}.count must be a positive integer`);
    spec.count = raw.count;
  }
  if (raw.grant_type !== undefined) {
    if (endpoint !== 'token') throw new FaultSpecError(`${endpoint}.grant_type: only the token endpoint has grant types`);
    if (typeof raw.grant_type !== 'string' || raw.grant_type === '') {
      throw new FaultSpecError('token.grant_type must be a non-empty string');
    }
    spec.grant_type = raw.grant_type;
  }
  return spec;
}

/**
 * The knobs. `baseline` is what a reset goes back to (the start-up flags:
 * --slow-token-ms is `{ token: { delay_ms } }`).
 */
export function createFaults({ baseline = {} } = {}) {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let knobs = structuredClone(baseline);

  const changed = (endpoint) => events.emit(`change:${endpoint}`);

  return {
    /** Which endpoint a request belongs to, or undefined. */
    endpointOf(method, path) {
      return Object.keys(FAULT_ENDPOINTS).find((name) => {
        const e = FAULT_ENDPOINTS[name];
        return e.path === path && (!e.method || e.method === method);
      });
    },

    state() {
      return structuredClone(knobs);
    },

    /** Applies `{ endpoint: spec | null }` (already validated by parseFaultSpec where not null). */
    update(changes) {
      for (const [endpoint, spec] of Object.entries(changes)) {
        if (spec === null) delete knobs[endpoint];
        else knobs[endpoint] = spec;
        changed(endpoint);
      }
    },

    reset() {
      const endpoints = new Set([...Object.keys(knobs), ...Object.keys(baseline)]);
      knobs = structuredClone(baseline);
      for (const endpoint of endpoints) changed(endpoint);
    },

    /**
     * The knob that applies to this request, if any (a copy); counts it down.
     */
    take(endpoint, { grantType } = {}) {
      const knob = knobs[endpoint];
      if (!knob) return undefined;
      if (knob.grant_type !== undefined && knob.grant_type !== grantType) return undefined;
      const applied = { ...knob };
      delete applied.count;
      if (knob.count !== undefined) {
        knob.count -= 1;
        // Used up: the endpoint goes back to its start-up knob (or none).
        if (knob.count <= 0) {
          if (baseline[endpoint]) knobs[endpoint] = structuredClone(baseline[endpoint]);
          else delete knobs[endpoint];
        }
      }
      return applied;
    },

    /**
     * Resolves with 'released' when the endpoint's knob is changed or cleared,
     * or with 'closed' when `res` closes (the client went away).
     */
    waitForRelease(endpoint, res) {
      return new Promise((resolve) => {
        const done = (why) => {
          events.off(`change:${endpoint}`, onChange);
          res.off('close', onClose);
          resolve(why);
        };
        const onChange = () => done('released');
        const onClose = () => done('closed');
        events.on(`change:${endpoint}`, onChange);
        res.on('close', onClose);
        if (res.destroyed || res.socket?.destroyed) done('closed');
      });
    },
  };
}

/** Sleeps `ms`, or less when `res` closes first (nobody is waiting for the answer any more). */
export function holdUnlessClosed(ms, res) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve('elapsed');
    }, ms);
    const onClose = () => {
      clearTimeout(timer);
      resolve('closed');
    };
    res.on('close', onClose);
    if (res.destroyed || res.socket?.destroyed) onClose();
  });
}
