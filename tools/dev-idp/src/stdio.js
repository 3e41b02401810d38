// Imported first by server.js: keeps stdout exclusively for the ready line.
//
// oidc-provider prints notices through console.info (stdout). The Rust tests
// read the child's stdout only until the ready line, and a full, unread pipe
// would block the process, so every console method writes to stderr instead.

const toStderr = (...args) => console.error(...args);
console.log = toStderr;
console.info = toStderr;
console.debug = toStderr;

// oidc-provider warns once when a request body was already read upstream; the
// dev IdP does that on purpose for POST /oidc/token (see dev-routes.js).
const warn = console.warn.bind(console);
console.warn = (...args) => {
  if (typeof args[0] === 'string' && args[0].includes('already parsed request body detected')) return;
  warn(...args);
};
