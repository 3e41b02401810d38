// The headless browser stand-in, a process of its own so that its CPU is never counted as a client's: one
// authorization URL per stdin line → the app's redirect (callback URL) on stdout, one line each. A fresh cookie jar
// per sign-in (a fresh browser session), the dev IdP's `dev_login` signs the user in without a form, consent is
// automatic. Reuses the dev IdP's own test user agent (tools/dev-idp/test/helpers.js).
import { createInterface } from 'node:readline';

import { CookieJar, follow } from '../dev-idp/test/helpers.js';

for await (const line of createInterface({ input: process.stdin })) {
  try {
    const { callback, response, url } = await follow(new CookieJar(), line.trim());
    if (!callback) throw new Error(`stopped at ${url} with HTTP ${response.status}`);
    process.stdout.write(`${callback}\n`);
  } catch (error) {
    process.stdout.write(`ERROR ${String(error.message ?? error).replaceAll('\n', ' ')}\n`);
  }
}
