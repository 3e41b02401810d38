// Harness for the web end-to-end test: the dev IdP (tools/dev-idp), a static
// server for the built example app (with an SPA fallback, so /callback and
// /callback/sign-out serve index.html), and headless Debian Chromium.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const packageDir = fileURLToPath(new URL('..', import.meta.url));
export const exampleDist = join(packageDir, 'example', 'dist');
export const devIdpBin = process.env.DEV_IDP_BIN ?? join(packageDir, '..', 'tools', 'dev-idp', 'bin', 'dev-idp');
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CLIENT_ID = 'dev-native-app';

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Fails with a clear message when something the test needs is missing. */
export function checkPrerequisites() {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}. Install it with: apt-get update && apt-get install -y chromium`,
    );
  }
  if (!existsSync(devIdpBin)) {
    throw new Error(`The dev IdP is missing: ${devIdpBin} (tools/dev-idp in the project).`);
  }
  if (!existsSync(join(packageDir, 'dist', 'esm', 'index.js'))) {
    throw new Error('dist/esm is missing: run `npm run build` first.');
  }
}

/** Builds the example app with Vite (it imports the package entry, i.e. dist/esm). */
export async function buildExample() {
  const { build } = await import('vite');
  await build({ configFile: join(packageDir, 'example', 'vite.config.ts'), logLevel: 'warn' });
}

/** Starts the dev IdP on a free port; resolves with { endpoint, stop() }. */
export async function startDevIdp() {
  // stdin stays open as a pipe: --exit-on-stdin-close stops the IdP if this process dies.
  const child = spawn(devIdpBin, ['--port', '0', '--exit-on-stdin-close'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout });
  const endpoint = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dev-idp not ready after 180 s:\n${stderr}`)), 180_000);
    lines.on('line', (line) => {
      const match = /^DEV_IDP_READY endpoint=(http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dev-idp exited early (${code}):\n${stderr}`));
    });
  });
  return {
    endpoint,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

/** A static file server with an SPA fallback to index.html. */
function createStaticServer(root) {
  return createServer(async (request, response) => {
    try {
      const { pathname } = new URL(request.url ?? '/', 'http://127.0.0.1');
      const candidate = normalize(join(root, decodeURIComponent(pathname)));
      let file = join(root, 'index.html');
      if (candidate.startsWith(root + sep)) {
        const info = await stat(candidate).catch(() => undefined);
        if (info?.isFile()) {
          file = candidate;
        }
      }
      const body = await readFile(file);
      response.writeHead(200, {
        'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      response.end(body);
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error));
    }
  });
}

async function listen(server, port) {
  server.listen(port, '127.0.0.1');
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => {
      throw error;
    }),
  ]);
  return server.address().port;
}

/**
 * Whether the IdP's token endpoint answers a cross-origin POST from `origin`
 * (oidc-provider's default clientBasedCORS only allows the exact origins of
 * the client's redirect URIs).
 */
export async function tokenEndpointAllowsOrigin(endpoint, origin) {
  const response = await fetch(`${endpoint}/oidc/token`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: 'probe' }),
  });
  await response.arrayBuffer();
  return response.headers.get('access-control-allow-origin') === origin;
}

/**
 * Serves example/dist on http://127.0.0.1:<free port>. If the IdP refuses
 * that origin for CORS (the dev IdP registers `http://127.0.0.1/callback`
 * without a port, and oidc-provider compares origins exactly), it serves on
 * port 80 instead, whose origin `http://127.0.0.1` is the registered one.
 */
export async function startExampleServer(idpEndpoint, log = () => undefined) {
  const requested = Number(process.env.E2E_APP_PORT ?? 0);
  let server = createStaticServer(exampleDist);
  let port = await listen(server, requested);
  let origin = `http://127.0.0.1:${port}`;
  if (!(await tokenEndpointAllowsOrigin(idpEndpoint, origin))) {
    log(`the IdP refuses CORS from ${origin}; serving the example app on port 80 (origin http://127.0.0.1)`);
    server.close();
    server = createStaticServer(exampleDist);
    try {
      port = await listen(server, 80);
    } catch (error) {
      throw new Error(
        `The dev IdP does not allow CORS from ${origin} and port 80 is unavailable (${error.code ?? error}). ` +
          'Token requests from the browser need an allowed origin: run as root, or let the dev IdP accept ' +
          'loopback origins on any port (clientBasedCORS).',
      );
    }
    origin = 'http://127.0.0.1';
    if (!(await tokenEndpointAllowsOrigin(idpEndpoint, origin))) {
      throw new Error(`The dev IdP refuses CORS from ${origin} too.`);
    }
  }
  return {
    origin,
    async stop() {
      server.closeAllConnections?.();
      server.close();
    },
  };
}

/** Launches headless Chromium (never downloads a browser). */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
}
