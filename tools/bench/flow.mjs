// Shared by both clients' drivers: the child-process plumbing (browser stand-in, line protocol) and CPU accounting.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const CLIENT_ID = 'dev-native-app';
export const REDIRECT_URI = 'com.example.app://callback';
export const RESOURCE = 'https://api.example.com';

/** The browser stand-in as a child process: `signIn(url)` resolves to the callback URL. */
export function startBrowser(node = process.execPath) {
  const child = spawn(node, [fileURLToPath(new URL('./browser.mjs', import.meta.url))], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async signIn(url) {
      child.stdin.write(`${url}\n`);
      const { value } = await lines.next();
      if (!value || value.startsWith('ERROR')) throw new Error(`browser: ${value}`);
      return value;
    },
    stop() {
      child.stdin.end();
    },
  };
}
