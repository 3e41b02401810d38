// Command-line / environment configuration of the dev IdP.

export const USAGE = `Usage: dev-idp [options]

Logto-compatible development OpenID Provider (oidc-provider 9), loopback only
by default, with Logto's Alipay (Web) social connector and a local Alipay
stand-in.

Options (environment equivalent in brackets; flags win):
  --port <n>                 TCP port, 0 = any free port                   [DEV_IDP_PORT]               (3001)
  --access-token-ttl <s>     access token lifetime, seconds                [DEV_IDP_ACCESS_TOKEN_TTL]   (3600)
  --id-token-ttl <s>         ID token lifetime, seconds                    [DEV_IDP_ID_TOKEN_TTL]       (3600)
  --refresh-token-ttl <s>    refresh token lifetime, seconds               [DEV_IDP_REFRESH_TOKEN_TTL]  (1209600)
  --clock-tolerance <s>      server-side clock tolerance, seconds          [DEV_IDP_CLOCK_TOLERANCE]    (0)
  --slow-token-ms <ms>       delay every /oidc/token request by <ms>       [DEV_IDP_SLOW_TOKEN_MS]      (0)
                             (the start-up value of the token fault knob,
                             see /__dev/faults)
  --refresh-token-reuse-interval <s>
                             how long a rotated refresh token still works  [DEV_IDP_REFRESH_TOKEN_REUSE_INTERVAL] (3)
                             (Logto: 3); after that, presenting it again
                             revokes the grant; 0 = any reuse revokes
  --post-logout-redirect-uri <uri>
                             register one more post-logout redirect URI    [DEV_IDP_POST_LOGOUT_REDIRECT_URIS,
                             (matched exactly; repeatable)                  space-separated]
  --exit-on-stdin-close      exit when standard input reaches EOF          [DEV_IDP_EXIT_ON_STDIN_CLOSE=1]
  --log-requests             log one line per request to stderr            [DEV_IDP_LOG_REQUESTS=1]
  --host <addr>              bind address of the IdP and of the Alipay     [DEV_IDP_HOST]               (127.0.0.1)
                             stand-in (0.0.0.0 = every interface, for a
                             phone or an emulator; never in CI)
  --public-host <host>       host name in the issuer and in every URL the  [DEV_IDP_PUBLIC_HOST]        (the bind address;
                             browser is sent to (e.g. the machine's LAN                                  127.0.0.1 for 0.0.0.0)
                             address, or 10.0.2.2 for the Android emulator)
  --alipay-config <file>     Alipay (Web) connector configuration, JSON as [DEV_IDP_ALIPAY_CONFIG]      (generated at start-up)
                             in Logto's console: appId, privateKey,
                             signType, charset, scope
  --alipay-app <file>        the app as registered on the Alipay stand-in, [DEV_IDP_ALIPAY_APP]         (derived from the
                             JSON {"appId", "publicKey"} (publicKey: the                                 connector configuration)
                             output of openssl rsa -pubout without header,
                             footer and newlines)
  --alipay-port <n>          port of the Alipay stand-in, 0 = any free     [DEV_IDP_ALIPAY_PORT]        (0)
  --alipay-code-ttl <s>      lifetime of the stand-in's auth_code          [DEV_IDP_ALIPAY_CODE_TTL]    (180)
  -h, --help                 print this help to stderr and exit

When ready, prints exactly one line to stdout:
  DEV_IDP_READY endpoint=http://<public host>:<port>
`;

const NUMERIC = {
  port: { flag: '--port', env: 'DEV_IDP_PORT', def: 3001, min: 0, max: 65535 },
  accessTokenTtl: { flag: '--access-token-ttl', env: 'DEV_IDP_ACCESS_TOKEN_TTL', def: 3600, min: 1 },
  idTokenTtl: { flag: '--id-token-ttl', env: 'DEV_IDP_ID_TOKEN_TTL', def: 3600, min: 1 },
  refreshTokenTtl: { flag: '--refresh-token-ttl', env: 'DEV_IDP_REFRESH_TOKEN_TTL', def: 1209600, min: 1 },
  clockTolerance: { flag: '--clock-tolerance', env: 'DEV_IDP_CLOCK_TOLERANCE', def: 0, min: 0 },
  slowTokenMs: { flag: '--slow-token-ms', env: 'DEV_IDP_SLOW_TOKEN_MS', def: 0, min: 0 },
  refreshTokenReuseInterval: {
    flag: '--refresh-token-reuse-interval', env: 'DEV_IDP_REFRESH_TOKEN_REUSE_INTERVAL', def: 3, min: 0,
  },
  alipayPort: { flag: '--alipay-port', env: 'DEV_IDP_ALIPAY_PORT', def: 0, min: 0, max: 65535 },
  alipayCodeTtl: { flag: '--alipay-code-ttl', env: 'DEV_IDP_ALIPAY_CODE_TTL', def: 180, min: 1 },
};

/** Repeatable flags: every occurrence adds a value (the environment variable: space-separated values). */
const LIST = {
  postLogoutRedirectUris: { flag: '--post-logout-redirect-uri', env: 'DEV_IDP_POST_LOGOUT_REDIRECT_URIS' },
};

const BOOLEAN = {
  exitOnStdinClose: { flag: '--exit-on-stdin-close', env: 'DEV_IDP_EXIT_ON_STDIN_CLOSE' },
  logRequests: { flag: '--log-requests', env: 'DEV_IDP_LOG_REQUESTS' },
};

const STRING = {
  host: { flag: '--host', env: 'DEV_IDP_HOST', def: '127.0.0.1' },
  publicHost: { flag: '--public-host', env: 'DEV_IDP_PUBLIC_HOST', def: undefined },
  alipayConfig: { flag: '--alipay-config', env: 'DEV_IDP_ALIPAY_CONFIG', def: undefined },
  alipayApp: { flag: '--alipay-app', env: 'DEV_IDP_ALIPAY_APP', def: undefined },
};

export class UsageError extends Error {}

function parseInteger(name, raw, { min, max = Number.MAX_SAFE_INTEGER }) {
  if (!/^\d+$/.test(String(raw).trim())) {
    throw new UsageError(`${name}: expected a non-negative integer, got ${JSON.stringify(raw)}`);
  }
  const value = Number(String(raw).trim());
  if (value < min || value > max) {
    throw new UsageError(`${name}: must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function parseString(name, raw) {
  const value = String(raw).trim();
  if (value === '') throw new UsageError(`${name}: must not be empty`);
  return value;
}

function parseUri(name, raw) {
  const value = parseString(name, raw);
  if (!URL.canParse(value)) throw new UsageError(`${name}: not an absolute URI: ${JSON.stringify(value)}`);
  return value;
}

function truthy(raw) {
  return raw !== undefined && !['', '0', 'false', 'no', 'off'].includes(String(raw).toLowerCase());
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/** The host for URLs when the server is bound to `host` (a wildcard bind is reached via loopback). */
export function defaultPublicHost(host) {
  return WILDCARD_HOSTS.has(host) ? '127.0.0.1' : host;
}

/** `host` as it appears in a URL authority (IPv6 literals in brackets). */
export function urlHost(host) {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * Parses argv (without node and script) and env into the configuration object.
 * Throws UsageError on bad input; returns { help: true } for --help.
 */
export function parseConfig(argv, env = process.env) {
  const config = {};
  for (const [key, spec] of Object.entries(NUMERIC)) {
    config[key] = env[spec.env] !== undefined && env[spec.env] !== ''
      ? parseInteger(spec.env, env[spec.env], spec)
      : spec.def;
  }
  for (const [key, spec] of Object.entries(BOOLEAN)) {
    config[key] = truthy(env[spec.env]);
  }
  for (const [key, spec] of Object.entries(STRING)) {
    config[key] = env[spec.env] !== undefined && env[spec.env] !== ''
      ? parseString(spec.env, env[spec.env])
      : spec.def;
  }
  const listFromFlags = {};
  for (const [key, spec] of Object.entries(LIST)) {
    config[key] = (env[spec.env] ?? '').split(/\s+/).filter(Boolean).map((v) => parseUri(spec.env, v));
  }

  const byFlag = new Map([
    ...Object.entries(NUMERIC).map(([key, spec]) => [spec.flag, { key, spec, kind: 'numeric' }]),
    ...Object.entries(BOOLEAN).map(([key, spec]) => [spec.flag, { key, spec, kind: 'boolean' }]),
    ...Object.entries(STRING).map(([key, spec]) => [spec.flag, { key, spec, kind: 'string' }]),
    ...Object.entries(LIST).map(([key, spec]) => [spec.flag, { key, spec, kind: 'list' }]),
  ]);

  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return { help: true };
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg;
    const entry = byFlag.get(flag);
    if (!entry) throw new UsageError(`unknown argument: ${arg}`);
    if (entry.kind === 'boolean') {
      if (eq !== -1) throw new UsageError(`${flag} takes no value`);
      config[entry.key] = true;
      continue;
    }
    let raw;
    if (eq !== -1 && arg.startsWith('--')) {
      raw = arg.slice(eq + 1);
    } else {
      i += 1;
      if (i >= argv.length) throw new UsageError(`${flag} needs a value`);
      raw = argv[i];
    }
    if (entry.kind === 'list') {
      // Flags replace the environment's list (a flag wins over its variable).
      listFromFlags[entry.key] ??= [];
      listFromFlags[entry.key].push(parseUri(flag, raw));
      continue;
    }
    config[entry.key] = entry.kind === 'numeric'
      ? parseInteger(flag, raw, entry.spec)
      : parseString(flag, raw);
  }
  Object.assign(config, listFromFlags);
  config.publicHost ??= defaultPublicHost(config.host);
  return config;
}
