// Side-by-side benchmark: one dev IdP, two client processes (logto-core, @logto/client 3.1.9), alternating rounds of
// the same flow; prints client-process CPU per flow for each and the ratio.
//
// Usage: node run.mjs <logto-bench binary> [rounds=10] [flows per round=10] [warm-up flows=10]
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { startIdp } from '../dev-idp/test/helpers.js';

const [rustBinary, rounds = '10', perRound = '10', warmUp = '10'] = process.argv.slice(2);
if (!rustBinary) throw new Error('usage: node run.mjs <logto-bench binary> [rounds] [flows per round] [warm-up]');
const here = (file) => fileURLToPath(new URL(file, import.meta.url));

function startClient(name, command, args) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    name,
    cpu: [],
    wall: [],
    async run(n, { record = true } = {}) {
      child.stdin.write(`run ${n}\n`);
      const { value, done } = await lines.next();
      if (done) throw new Error(`${name} exited`);
      const result = JSON.parse(value);
      if (record) {
        this.cpu.push(...result.cpu_us);
        this.wall.push(...result.wall_us);
      }
    },
    stop() {
      child.stdin.end();
    },
  };
}

const idp = await startIdp([], { stdin: 'pipe' });
const clients = [
  startClient('logto-core', rustBinary, [idp.endpoint, process.execPath, here('./browser.mjs')]),
  startClient('@logto/client 3.1.9', process.execPath, [here('./js-client.mjs'), idp.endpoint]),
];
try {
  for (const client of clients) await client.run(Number(warmUp), { record: false });
  for (let round = 0; round < Number(rounds); round += 1) {
    // Alternate which client goes first, so that neither always runs on a warmer or busier IdP.
    const order = round % 2 === 0 ? clients : [...clients].reverse();
    for (const client of order) await client.run(Number(perRound));
  }
} finally {
  for (const client of clients) client.stop();
  idp.stop();
}

const ms = (us) => (us / 1000).toFixed(2);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
console.log(`flows: ${Number(rounds) * Number(perRound)} per client (${rounds} alternating rounds of ${perRound}, after ${warmUp} warm-up flows each)`);
console.log('client-process CPU per flow (user + system, all threads of the client process; browser stand-in and IdP not counted):');
for (const c of clients) {
  console.log(`  ${c.name.padEnd(22)} median ${ms(median(c.cpu)).padStart(7)} ms   mean ${ms(mean(c.cpu)).padStart(7)} ms   p90 ${ms(p90(c.cpu)).padStart(7)} ms   (wall: median ${ms(median(c.wall))} ms)`);
}
const [rust, js] = clients;
console.log(`ratio logto-core / @logto/client: median ${(median(rust.cpu) / median(js.cpu)).toFixed(3)}, mean ${(mean(rust.cpu) / mean(js.cpu)).toFixed(3)} (target <= 0.25)`);
