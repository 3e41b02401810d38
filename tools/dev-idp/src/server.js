// Entry point: `node src/server.js [options]` (use bin/dev-idp, which runs Node 22).
import './stdio.js';

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Koa from 'koa';
import mount from 'koa-mount';

import { parseConfig, UsageError, USAGE } from './config.js';
import { createDevMiddleware, createRequestLog } from './dev-routes.js';
import { createInteractionRoutes } from './interactions.js';
import { createProvider, generateSigningKey } from './provider.js';

const HOST = '127.0.0.1';

const log = (line) => process.stderr.write(`[dev-idp] ${line}\n`);

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: HOST }, () => {
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
    port = await listen(httpServer, config.port);
  } catch (err) {
    log(`cannot listen on ${HOST}:${config.port}: ${err.code ?? err.message}`);
    process.exit(1);
  }
  const origin = `http://${HOST}:${port}`;
  const issuer = `${origin}/oidc`;

  // Cookie signing keys, shared by the outer app and the provider: koa-mount
  // runs the provider on the outer app's ctx, whose ctx.cookies use app.keys.
  const cookieKeys = [randomBytes(32).toString('base64url')];
  app.keys = cookieKeys;

  const provider = createProvider({
    issuer,
    signingKey: await generateSigningKey(),
    cookieKeys,
    accessTokenTtl: config.accessTokenTtl,
    idTokenTtl: config.idTokenTtl,
    refreshTokenTtl: config.refreshTokenTtl,
    clockTolerance: config.clockTolerance,
    refreshTokenReuseInterval: config.refreshTokenReuseInterval,
    log,
  });

  const requestLog = createRequestLog();
  app.use(createDevMiddleware({
    requestLog,
    slowTokenMs: config.slowTokenMs,
    log,
    logRequests: config.logRequests,
  }));
  app.use(createInteractionRoutes({ provider }));
  app.use(mount('/oidc', provider));

  handler = app.callback();

  log(`issuer ${issuer} (access token ttl ${config.accessTokenTtl}s, id token ttl ${config.idTokenTtl}s, refresh token ttl ${config.refreshTokenTtl}s, clock tolerance ${config.clockTolerance}s, slow token ${config.slowTokenMs}ms, refresh token reuse interval ${config.refreshTokenReuseInterval}s)`);

  let stopping = false;
  const shutdown = (reason) => {
    if (stopping) return;
    stopping = true;
    log(`stopping (${reason})`);
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
