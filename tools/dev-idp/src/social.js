// Social sign-in through Logto connectors, as Logto's sign-in experience does it.
//
// Logto (experience app + core):
//   1. "Continue with <connector>" asks core for the connector's authorization
//      URI with a fresh `state` and `redirectUri = ${origin}/callback/${connectorId}`
//      (connector.getAuthorizationUri({ state, redirectUri, connectorId,
//      connectorFactoryId, jti, headers }, setSession)), then navigates there.
//   2. The provider sends the browser back to /callback/<connectorId>; the
//      experience checks `state`, then core calls connector.getUserInfo(data,
//      getSession) with every query parameter but `state` (+ redirectUri).
//   3. Core finds the user by (connector target, user id) or registers one, and
//      the interaction finishes with that account.
//   On failure the experience shows the error (a toast) on the sign-in page;
//   the user may try again. The error is Logto's connector error code and
//   message (koa-connector-error-handler + the English phrases).
//
// Here: /callback/<connectorId> is outside the interaction cookie's path
// (/sign-in/<uid>), so it bounces to /sign-in/<uid>/social/<connectorId>/callback,
// where the interaction is found by its cookie, `state` is checked against the
// one issued for that interaction and consumed, and getUserInfo runs.

import { randomBytes } from 'node:crypto';

import { observeGateway } from './alipay/intercept.js';

const STATE_TTL_MS = 10 * 60 * 1000;
const UI_STATE_TTL_MS = 60 * 60 * 1000;

/** Logto's English phrases for connector errors (packages/phrases/src/locales/en/errors/connector.ts). */
const PHRASES = {
  general: 'Error occurred in connector: {{errorDescription}}',
  invalid_metadata: "The connector's metadata is invalid.",
  invalid_config_guard: "The connector's config guard is invalid.",
  invalid_request_parameters: 'The request is with wrong input parameter(s).',
  insufficient_request_parameters: 'The request might miss some input parameters.',
  invalid_config: "The connector's config is invalid.",
  invalid_response: "The connector's response is invalid.",
  social_invalid_access_token: "The connector's access token is invalid.",
  social_auth_code_invalid: 'Unable to get access token, please check authorization code.',
  social_invalid_id_token: "The connector's id token is invalid.",
  authorization_failed: "The user's authorization process is unsuccessful.",
  not_implemented: '{{method}}: has not been implemented yet.',
};

/** Logto's koa-connector-error-handler status mapping. */
function statusFor(code) {
  if (['invalid_metadata', 'invalid_config_guard', 'invalid_request_parameters', 'insufficient_request_parameters',
    'invalid_config', 'invalid_response'].includes(code)) return 400;
  if (['social_auth_code_invalid', 'social_invalid_access_token', 'social_invalid_id_token',
    'authorization_failed'].includes(code)) return 401;
  if (code === 'not_implemented') return 501;
  return 500;
}

/** A failed social sign-in: Logto's error code and message, plus what the provider said. */
export class SocialSignInError extends Error {
  constructor({ code, status, message, detail }) {
    super(message);
    this.code = code;
    this.status = status;
    this.detail = detail;
  }

  /** One line for pages, error_description and logs. */
  describe() {
    return this.detail ? `${this.message} ${this.detail}` : this.message;
  }
}

/** Hides auth codes and tokens that Alipay echoes in its invalid-signature message. */
function redact(text) {
  return text.replace(/(^|[&：:\s])(code|auth_code|auth_token|access_token|refresh_token)=[^&\s]*/g, '$1$2=…');
}

/** Alipay's own error, from the gateway answers the connector received. */
function explainGateway(gateway) {
  const parts = [];
  for (const { method, body } of gateway) {
    let json;
    try {
      json = JSON.parse(body);
    } catch {
      parts.push(`Alipay ${method} answered with a body that is not JSON.`);
      continue;
    }
    const key = Object.keys(json).find((k) => k.endsWith('_response'));
    const inner = key ? json[key] : undefined;
    const failed = key === 'error_response' || (inner && inner.code !== undefined && inner.code !== '10000');
    if (inner && failed) {
      const sub = inner.sub_code ? ` (${inner.sub_code}${inner.sub_msg ? `: ${inner.sub_msg}` : ''})` : '';
      // An unsigned answer is what makes the connector call the response invalid.
      parts.push(`Alipay ${method}: ${inner.code} ${inner.msg}${sub}${json.sign === undefined ? ' [unsigned]' : ''}.`);
    }
  }
  return parts.length > 0 ? redact(parts.join(' ')) : undefined;
}

function toSocialSignInError(err, { gateway, query }) {
  const details = [];
  if (query.error) {
    details.push(`The provider redirected back with error=${query.error}${query.error_description ? ` (${query.error_description})` : ''}.`);
  }
  const fromGateway = explainGateway(gateway);
  if (fromGateway) details.push(fromGateway);
  const detail = details.length > 0 ? details.join(' ') : undefined;

  const code = typeof err?.code === 'string' && Object.hasOwn(PHRASES, err.code) ? err.code : undefined;
  if (code && err?.constructor?.name === 'ConnectorError') {
    const data = err.data ?? {};
    const message = PHRASES[code]
      .replace('{{errorDescription}}', data.errorDescription ?? data.message ?? '')
      .replace('{{method}}', data.method ?? '');
    return new SocialSignInError({ code: `connector.${code}`, status: statusFor(code), message, detail });
  }
  // Not a connector error (e.g. the HTTP client failed): Logto answers 500.
  return new SocialSignInError({
    code: 'connector.general',
    status: 500,
    message: PHRASES.general.replace('{{errorDescription}}', err?.message ?? String(err)),
    detail,
  });
}

/**
 * @param {object} options
 * @param {Array<{ id: string, connector: object, rewriteAuthorizationUri?: (uri: string) => string }>} options.connectors
 *   enabled social connectors (instances: id is Logto's connector id)
 * @param {(line: string) => void} options.log
 */
export function createSocialSignIn({ connectors, log }) {
  const byId = new Map(connectors.map((c) => [c.id, c]));
  /** state → { uid, connectorId, expiresAt, session } */
  const states = new Map();
  /** interaction uid → { directSignInDone, flash, lastFailure, expiresAt } */
  const uiStates = new Map();

  const sweep = () => {
    const now = Date.now();
    for (const [k, v] of states) if (v.expiresAt <= now) states.delete(k);
    for (const [k, v] of uiStates) if (v.expiresAt <= now) uiStates.delete(k);
  };

  return {
    /** For the sign-in page: [{ id, target, name }] */
    list() {
      return connectors.map(({ id, connector }) => ({
        id,
        target: connector.metadata.target,
        name: connector.metadata.name?.en ?? connector.metadata.target,
      }));
    },

    findById(id) {
      return byId.get(id);
    },

    /** Logto's direct sign-in matches `social:<target>` against the connectors' target. */
    findByTarget(target) {
      return connectors.find((c) => c.connector.metadata.target === target);
    },

    /** Per-interaction UI state (direct sign-in attempted, error to show once, last failure). */
    ui(uid) {
      sweep();
      let state = uiStates.get(uid);
      if (!state) {
        state = { directSignInDone: false, flash: undefined, lastFailure: undefined };
        uiStates.set(uid, state);
      }
      state.expiresAt = Date.now() + UI_STATE_TTL_MS;
      return state;
    },

    /**
     * Step 1: the connector's authorization URI for this interaction, with a
     * fresh state, rewritten to a browser-reachable origin where needed.
     */
    async authorizationUri({ connectorId, uid, jti, origin, headers }) {
      sweep();
      const entry = byId.get(connectorId);
      if (!entry) throw new Error(`unknown connector ${connectorId}`);
      const state = randomBytes(12).toString('base64url');
      const record = { uid, connectorId, expiresAt: Date.now() + STATE_TTL_MS, session: {} };
      states.set(state, record);
      const uri = await entry.connector.getAuthorizationUri({
        state,
        redirectUri: `${origin}/callback/${connectorId}`,
        connectorId,
        connectorFactoryId: entry.connector.metadata.id,
        jti,
        headers,
      }, async (session) => { record.session = { ...session }; });
      return entry.rewriteAuthorizationUri ? entry.rewriteAuthorizationUri(uri) : uri;
    },

    /** The interaction a state belongs to (for the /callback/<id> bounce), without consuming it. */
    peekState(state, connectorId) {
      sweep();
      const record = typeof state === 'string' ? states.get(state) : undefined;
      return record && record.connectorId === connectorId ? record : undefined;
    },

    /**
     * Steps 2 and 3: checks and consumes the state, then asks the connector for
     * the user. Returns { userInfo, target } or throws SocialSignInError.
     */
    async getUserInfo({ connectorId, uid, query, origin }) {
      sweep();
      const entry = byId.get(connectorId);
      const { state, ...data } = query;
      const record = typeof state === 'string' ? states.get(state) : undefined;
      if (!entry || !record || record.uid !== uid || record.connectorId !== connectorId) {
        // Logto's experience: error.invalid_connector_auth, back to the sign-in page.
        throw new SocialSignInError({
          code: 'session.invalid_connector_auth',
          status: 400,
          message: 'Invalid authorization.',
          detail: 'The state of the social sign-in is unknown, already used, expired or belongs to another sign-in.',
        });
      }
      states.delete(state);
      const { result, error, gateway } = await observeGateway(() => entry.connector.getUserInfo(
        { redirectUri: `${origin}/callback/${connectorId}`, ...data },
        async () => record.session,
      ));
      if (error) {
        const failure = toSocialSignInError(error, { gateway, query: data });
        log(`social sign-in with ${connectorId} failed: ${failure.code} (${failure.status}): ${failure.describe()}`);
        throw failure;
      }
      return { userInfo: result, target: entry.connector.metadata.target };
    },
  };
}
