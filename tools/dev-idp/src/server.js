// Entry point: `node src/server.js [options]` (use bin/dev-idp, which runs Node 22).
import './stdio.js';
import { standInKeyPair } from './alipay/keys.js'; // first: key generation overlaps module loading

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Koa from 'koa';
import providerInternals from 'oidc-provider/lib/helpers/weak_cache.js';
import mount from 'koa-mount';

import { AlipayConfigError, loadAlipayConnector } from './alipay/connector.js';
import { rewriteAuthorizationUri, routeAlipayToStandIn } from './alipay/intercept.js';
import { AUTHORIZE_PATH, createAlipayStandIn, GATEWAY_PATH } from './alipay/stand-in.js';
import {
  defaultPublicHost, parseConfig, UsageError, urlHost, USAGE,
} from './config.js';
import { createAdapterFactory } from './adapter.js';
import { createDevMiddleware, createRequestLog, observeRefresh } from './dev-routes.js';
import { createFaults } from './faults.js';
import { createInteractionRoutes } from './interactions.js';
import { createKeyRing, generateSigningKey } from './keys.js';
import { CLIENT, createProvider } from './provider.js';
import { createRefreshQueue } from './refresh-token-grant.js';
import { createSocialSignIn } from './social.js';

const log = (line) => process.stderr.write(`[dev-idp] ${line}\n`);

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

async function main() {
  let config;
  try {
    config = parseConfig(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`dev-idp: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    throw err;
  }
  if (config.help) {
    process.stderr.write(USAGE);
    process.exit(0);
  }
  const HOST = config.host;

  // Logto's Alipay (Web) connector: refuse an invalid configuration before
  // anything listens.
  let alipay;
  try {
    alipay = await loadAlipayConnector({ configPath: config.alipayConfig, appPath: config.alipayApp });
  } catch (err) {
    if (err instanceof AlipayConfigError) {
      process.stderr.write(`dev-idp: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (alipay.defaulted.length > 0) {
    log(`alipay: not in the configuration, the console's defaults are used: ${alipay.defaulted.join(', ')}`);
  }
  if (alipay.ignored.length > 0) {
    log(`alipay: ignoring unknown configuration fields: ${alipay.ignored.join(', ')}`);
  }

  const app = new Koa();
  app.proxy = false;
  app.silent = true;
  app.on('error', (err) => {
    if (!err.expose) log(`unhandled error: ${err.stack ?? err}`);
  });

  // The issuer needs the port, so bind first and attach the app afterwards
  // (until then, which is before the ready line, requests get a 503).
  let handler = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const httpServer = createServer((req, res) => handler(req, res));
  httpServer.keepAliveTimeout = 5_000;
  let port;
  try {
    port = await listen(httpServer, config.port, HOST);
  } catch (err) {
    log(`cannot listen on ${HOST}:${config.port}: ${err.code ?? err.message}`);
    process.exit(1);
  }
  const origin = `http://${urlHost(config.publicHost)}:${port}`;
  const issuer = `${origin}/oidc`;

  // The Alipay stand-in: its own origin (another port), like another site.
  const redirectUri = `${origin}/callback/${alipay.connectorId}`;
  const standIn = createAlipayStandIn({
    app: alipay.app,
    redirectUri: () => redirectUri,
    codeTtl: config.alipayCodeTtl,
    alipayKeys: await standInKeyPair,
    log,
  });
  const standInServer = createServer((req, res) => { standIn.listener(req, res); });
  standInServer.keepAliveTimeout = 5_000;
  let standInPort;
  try {
    standInPort = await listen(standInServer, config.alipayPort, HOST);
  } catch (err) {
    log(`cannot listen on ${HOST}:${config.alipayPort} (Alipay stand-in): ${err.code ?? err.message}`);
    process.exit(1);
  }
  const standInPublicOrigin = `http://${urlHost(config.publicHost)}:${standInPort}`;
  const standInLocalOrigin = `http://${urlHost(defaultPublicHost(HOST))}:${standInPort}`;
  routeAlipayToStandIn({ standInOrigin: () => standInLocalOrigin, log });
  const social = createSocialSignIn({
    connectors: [{
      id: alipay.connectorId,
      connector: alipay.connector,
      rewriteAuthorizationUri: (uri) => rewriteAuthorizationUri(uri, standInPublicOrigin),
    }],
    log,
  });

  // Cookie signing keys, shared by the outer app and the provider: koa-mount
  // runs the provider on the outer app's ctx, whose ctx.cookies use app.keys.
  const cookieKeys = [randomBytes(32).toString('base64url')];
  app.keys = cookieKeys;

  // One storage, one refresh queue and one request log for the life of the
  // process; the provider itself is rebuilt around them when the signing keys
  // are rotated or a post-logout redirect URI is registered (Logto reloads its
  // tenant the same way), so sessions, grants and refresh tokens survive.
  const storage = createAdapterFactory({
    clockTolerance: config.clockTolerance,
    refreshTokenReuseInterval: config.refreshTokenReuseInterval,
  });
  const serialiseRefresh = createRefreshQueue();
  const requestLog = createRequestLog();
  const keyRing = createKeyRing(await generateSigningKey('EC'));
  const postLogoutRedirectUris = [...config.postLogoutRedirectUris];

  const buildProvider = () => createProvider({
    issuer,
    signingKeys: keyRing.privateJwks(),
    signingAlg: keyRing.signingAlg(),
    postLogoutRedirectUris,
    Adapter: storage.Adapter,
    serialiseRefresh,
    observeRefresh: observeRefresh(requestLog),
    refreshTokenConsumed: storage.refreshTokenConsumed,
    cookieKeys,
    accessTokenTtl: config.accessTokenTtl,
    idTokenTtl: config.idTokenTtl,
    refreshTokenTtl: config.refreshTokenTtl,
    clockTolerance: config.clockTolerance,
    log,
  });
  let provider = buildProvider();
  let mountedProvider = mount('/oidc', provider);
  const rebuildProvider = () => {
    provider = buildProvider();
    mountedProvider = mount('/oidc', provider);
  };

  // What the OP publishes now (oidc-provider's own view: its JWKS and the
  // algorithm list it derived from the keys).
  const keysInfo = () => {
    const { jwks, configuration } = providerInternals(provider);
    return {
      kid: keyRing.current().kid,
      kty: keyRing.current().kty,
      signing_alg: keyRing.signingAlg(),
      id_token_signing_alg_values_supported: [...configuration.idTokenSigningAlgValues],
      keys: structuredClone(jwks.keys).map((k) => JSON.parse(JSON.stringify(k))),
    };
  };
  const currentPostLogoutUris = () => [...new Set([...CLIENT.post_logout_redirect_uris, ...postLogoutRedirectUris])];

  const faults = createFaults({
    baseline: config.slowTokenMs > 0 ? { token: { delay_ms: config.slowTokenMs } } : {},
  });
  app.use(createDevMiddleware({
    requestLog,
    faults,
    log,
    logRequests: config.logRequests,
    actions: {
      async rotateKeys(type) {
        await keyRing.rotate(type);
        rebuildProvider();
        return keysInfo();
      },
      keys: keysInfo,
      registerPostLogoutRedirectUri(uri) {
        if (!postLogoutRedirectUris.includes(uri)) {
          postLogoutRedirectUris.push(uri);
          rebuildProvider();
          log(`post-logout redirect URI registered: ${uri}`);
        }
        return { post_logout_redirect_uris: currentPostLogoutUris() };
      },
      postLogoutRedirectUris: () => ({ post_logout_redirect_uris: currentPostLogoutUris() }),
    },
    info: {
      // What a test or a person needs to know about the Alipay set-up (no private key).
      '/__dev/alipay': () => ({
        connectorId: alipay.connectorId,
        target: alipay.connector.metadata.target,
        connectorPackage: '@logto/connector-alipay-web',
        redirectUri,
        config: {
          appId: alipay.config.appId,
          signType: alipay.config.signType,
          charset: alipay.config.charset,
          scope: alipay.config.scope ?? null,
          generated: alipay.generated,
        },
        standIn: {
          origin: standInPublicOrigin,
          authorizeUrl: `${standInPublicOrigin}${AUTHORIZE_PATH}`,
          gatewayUrl: `${standInPublicOrigin}${GATEWAY_PATH}`,
          registeredApp: { appId: alipay.app.appId, publicKey: alipay.app.publicKey },
          alipayPublicKey: standIn.alipayPublicKey,
          account: standIn.account,
        },
      }),
    },
  }));
  app.use(createInteractionRoutes({
    getProvider: () => provider, social, origin, log,
  }));
  // Requests already inside the previous provider finish there; new ones go to the current one.
  app.use((ctx, next) => mountedProvider(ctx, next));

  handler = app.callback();

  log(`alipay: connector @logto/connector-alipay-web (${alipay.connectorId}), app ${alipay.config.appId}, ${alipay.config.signType}, ${alipay.config.charset}, scope ${alipay.config.scope ?? 'auth_user (default)'}${alipay.generated ? ', key pair generated at start-up' : ''}; stand-in ${standInPublicOrigin} (auth_code ttl ${config.alipayCodeTtl}s); redirect URI ${redirectUri}`);
  if (!['127.0.0.1', '::1', 'localhost'].includes(HOST)) {
    log(`WARNING: listening on ${HOST}, not only on loopback: anyone who can reach this machine can use this development IdP`);
  }
  log(`issuer ${issuer} (access token ttl ${config.accessTokenTtl}s, id token ttl ${config.idTokenTtl}s, refresh token ttl ${config.refreshTokenTtl}s, clock tolerance ${config.clockTolerance}s, slow token ${config.slowTokenMs}ms, refresh token reuse interval ${config.refreshTokenReuseInterval}s, signing key ${keyRing.current().kid})`);

  let stopping = false;
  const shutdown = (reason) => {
    if (stopping) return;
    stopping = true;
    log(`stopping (${reason})`);
    standInServer.close();
    standInServer.closeAllConnections();
    httpServer.close(() => process.exit(0));
    httpServer.closeAllConnections();
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  if (config.exitOnStdinClose) {
    process.stdin.on('end', () => shutdown('stdin closed'));
    process.stdin.on('close', () => shutdown('stdin closed'));
    process.stdin.on('error', () => shutdown('stdin error'));
    process.stdin.resume();
  }

  process.stdout.write(`DEV_IDP_READY endpoint=${origin}\n`);
}

main().catch((err) => {
  log(`fatal: ${err.stack ?? err}`);
  process.exit(1);
});
