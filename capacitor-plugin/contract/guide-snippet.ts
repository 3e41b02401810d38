/* eslint-disable -- the Logto guide's code, verbatim: unused handlers, its own formatting */
// The Logto guide's Capacitor integration code (logto-io/docs, docs/quick-starts/framework/capacitor-js/
// _integration.mdx: "Init Logto client", "Implement sign-in", "Implement sign-out"), each code block verbatim with
// only the package name of the import line changed. The sign-in and sign-out blocks each declare `onClick`, so each
// stands in its own `{ … }` block. scripts/test-contract.sh compiles this file against the packed package in every
// module mode (as .ts, .mts and .cts) and bundles it with Vite and webpack.
//
// Two faults of the guide itself, which make it fail to compile against @logto/capacitor 4.0.7 as well:
//   - 4.0.7 does not export the type `LogtoConfig` (this package does);
//   - the guide declares `logtoConfig` but passes `config`: the `declare const config` at the end stands in for it
//     (outside the verbatim text).

// --- "Init Logto client" ---
import LogtoClient, { type LogtoConfig } from 'logto-native-capacitor';

const logtoConfig: LogtoConfig = {
  endpoint: '<your-logto-endpoint>',
  appId: '<your-application-id>',
};

const logtoClient = new LogtoClient(config);

// --- "Implement sign-in" ---
{
const onClick = async () => {
  await logtoClient.signIn('com.example.app://callback');
  console.log(await logtoClient.isAuthenticated()); // true
  console.log(await logtoClient.getIdTokenClaims()); // { sub: '...', ... }
};
}

// --- "Implement sign-out" ---
{
const onClick = async () => {
  await logtoClient.signOut();
  console.log(await logtoClient.isAuthenticated()); // false
};
}

// --- "Implement sign-out" (with a post sign-out redirect URI) ---
{
const onClick = async () => {
  await logtoClient.signOut('com.example.app://callback/sign-out');
};
}

// Not part of the guide: the guide's `config` (see above), and exports that keep bundlers from dropping the client.
declare const config: LogtoConfig;
export { logtoConfig, logtoClient };
