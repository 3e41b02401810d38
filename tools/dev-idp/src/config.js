// Command-line / environment configuration of the dev IdP.

export const USAGE = `Usage: dev-idp [options]

Logto-compatible development OpenID Provider (oidc-provider 9), loopback only.

Options (environment equivalent in brackets; flags win):
  --port <n>                 TCP port on 127.0.0.1, 0 = any free port      [DEV_IDP_PORT]               (3001)
  --access-token-ttl <s>     access token lifetime, seconds                [DEV_IDP_ACCESS_TOKEN_TTL]   (3600)
  --id-token-ttl <s>         ID token lifetime, seconds                    [DEV_IDP_ID_TOKEN_TTL]       (3600)
  --refresh-token-ttl <s>    refresh token lifetime, seconds               [DEV_IDP_REFRESH_TOKEN_TTL]  (1209600)
  --clock-tolerance <s>      server-side clock tolerance, seconds          [DEV_IDP_CLOCK_TOLERANCE]    (0)
  --slow-token-ms <ms>       delay every /oidc/token request by <ms>       [DEV_IDP_SLOW_TOKEN_MS]      (0)
  --refresh-token-reuse-interval <s>
                             grace period in which a rotated refresh token [DEV_IDP_REFRESH_TOKEN_REUSE_INTERVAL] (0)
                             still works (Logto uses 3); 0 = any reuse
                             revokes the grant
  --exit-on-stdin-close      exit when standard input reaches EOF          [DEV_IDP_EXIT_ON_STDIN_CLOSE=1]
  --log-requests             log one line per request to stderr            [DEV_IDP_LOG_REQUESTS=1]
  -h, --help                 print this help to stderr and exit

When ready, prints exactly one line to stdout:
  DEV_IDP_READY endpoint=http://127.0.0.1:<port>
`;

const NUMERIC = {
  port: { flag: '--port', env: 'DEV_IDP_PORT', def: 3001, min: 0, max: 65535 },
  accessTokenTtl: { flag: '--access-token-ttl', env: 'DEV_IDP_ACCESS_TOKEN_TTL', def: 3600, min: 1 },
  idTokenTtl: { flag: '--id-token-ttl', env: 'DEV_IDP_ID_TOKEN_TTL', def: 3600, min: 1 },
  refreshTokenTtl: { flag: '--refresh-token-ttl', env: 'DEV_IDP_REFRESH_TOKEN_TTL', def: 1209600, min: 1 },
  clockTolerance: { flag: '--clock-tolerance', env: 'DEV_IDP_CLOCK_TOLERANCE', def: 0, min: 0 },
  slowTokenMs: { flag: '--slow-token-ms', env: 'DEV_IDP_SLOW_TOKEN_MS', def: 0, min: 0 },
  refreshTokenReuseInterval: {
    flag: '--refresh-token-reuse-interval', env: 'DEV_IDP_REFRESH_TOKEN_REUSE_INTERVAL', def: 0, min: 0,
  },
};

const BOOLEAN = {
  exitOnStdinClose: { flag: '--exit-on-stdin-close', env: 'DEV_IDP_EXIT_ON_STDIN_CLOSE' },
  logRequests: { flag: '--log-requests', env: 'DEV_IDP_LOG_REQUESTS' },
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

function truthy(raw) {
  return raw !== undefined && !['', '0', 'false', 'no', 'off'].includes(String(raw).toLowerCase());
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

  const byFlag = new Map([
    ...Object.entries(NUMERIC).map(([key, spec]) => [spec.flag, { key, spec, numeric: true }]),
    ...Object.entries(BOOLEAN).map(([key, spec]) => [spec.flag, { key, spec, numeric: false }]),
  ]);

  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return { help: true };
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg;
    const entry = byFlag.get(flag);
    if (!entry) throw new UsageError(`unknown argument: ${arg}`);
    if (entry.numeric) {
      let raw;
      if (eq !== -1 && arg.startsWith('--')) {
        raw = arg.slice(eq + 1);
      } else {
        i += 1;
        if (i >= argv.length) throw new UsageError(`${flag} needs a value`);
        raw = argv[i];
      }
      config[entry.key] = parseInteger(flag, raw, entry.spec);
    } else {
      if (eq !== -1) throw new UsageError(`${flag} takes no value`);
      config[entry.key] = true;
    }
  }
  return config;
}
