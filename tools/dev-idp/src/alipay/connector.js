// Logto's Alipay (Web) social connector, loaded and configured the way Logto does.
//
// The connector is the unmodified npm package @logto/connector-alipay-web (pinned
// exactly in package.json). Its default export is the connector factory:
// `createConnector({ getConfig })` → { metadata, type, configGuard,
// getAuthorizationUri(payload, setSession), getUserInfo(data, getSession) }.
// Logto validates a connector's configuration against `configGuard` when it is
// saved; the dev IdP does it at start-up and refuses to start on an invalid one,
// naming the field. On top of the guard (which accepts any string for
// `privateKey` and `scope`), it checks what Logto's guide for the connector
// asks for: a PEM RSA private key with its header and footer, and a scope of
// `auth_user` or `auth_base`.

import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

import createAlipayConnector from '@logto/connector-alipay-web';

import { devAppKeyPair } from './keys.js';

/** The connector instance id: Logto's redirect URI is `${origin}/callback/${connector_id}`. */
export const ALIPAY_CONNECTOR_ID = 'alipay-web';

/** A development APPID (Alipay APPIDs are digits, at most 16). */
export const DEV_ALIPAY_APP_ID = '2021000000000001';

/** The scopes of the connector guide's table. */
export const ALIPAY_SCOPES = Object.freeze(['auth_user', 'auth_base']);

/** Thrown for an invalid connector configuration or app registration; the message names the field. */
export class AlipayConfigError extends Error {}

function readJsonFile(path, what) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AlipayConfigError(`${what} ${path}: cannot read the file (${err.code ?? err.message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AlipayConfigError(`${what} ${path}: not valid JSON (${err.message})`);
  }
}

/**
 * The public key as Alipay's console wants it (the guide: `openssl rsa -in
 * private.pem -outform PEM -pubout`, then header, footer and newlines removed).
 */
export function alipayPublicKeyFromPrivateKey(privateKeyPem) {
  const pem = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'pem' });
  return pem
    .replace(/-----BEGIN PUBLIC KEY-----/, '')
    .replace(/-----END PUBLIC KEY-----/, '')
    .replace(/\s+/g, '');
}

/**
 * The configuration the IdP uses when none is given: a fresh key pair per
 * process, as `openssl genrsa -out private.pem 2048` (OpenSSL 3) writes it:
 * PKCS#8 PEM ("BEGIN PRIVATE KEY"); OpenSSL 1.1 wrote PKCS#1 ("BEGIN RSA
 * PRIVATE KEY"), which is accepted too.
 */
export async function generateDevAlipayConfig() {
  return {
    appId: DEV_ALIPAY_APP_ID,
    privateKey: (await devAppKeyPair).privateKey,
    signType: 'RSA2',
    charset: 'utf8',
    scope: 'auth_user',
  };
}

const PEM_HINT = 'paste the whole private.pem of `openssl genrsa -out private.pem 2048`: keep the header '
  + '("-----BEGIN PRIVATE KEY-----" or "-----BEGIN RSA PRIVATE KEY-----") and the footer, and write every '
  + 'newline as \\n inside the JSON string';

function formatIssue(issue) {
  const field = issue.path.length > 0 ? issue.path.join('.') : '(configuration)';
  if (issue.code === 'invalid_type' && issue.received === 'undefined') {
    const hint = field === 'privateKey' ? ` (${PEM_HINT})` : '';
    return `${field}: missing, the field is required${hint}`;
  }
  if (issue.code === 'invalid_enum_value') {
    return `${field}: ${JSON.stringify(issue.received)} is not allowed, expected one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}`;
  }
  return `${field}: ${issue.message}`;
}

/** The guide's checks that the connector's guard does not make. Returns a list of problems. */
function checkAgainstGuide(config) {
  const problems = [];
  if (!/^\d{1,16}$/.test(config.appId)) {
    problems.push(`appId: ${JSON.stringify(config.appId)} is not an Alipay APPID (digits only, at most 16)`);
  }
  const pem = config.privateKey;
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pem)) {
    problems.push('privateKey: an encrypted (passphrase-protected) key; the connector needs the plain key of `openssl genrsa -out private.pem 2048`');
  } else if (pem.includes('\\n')) {
    problems.push(`privateKey: contains a literal backslash-n; ${PEM_HINT}`);
  } else if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(pem) || !/-----END (RSA )?PRIVATE KEY-----/.test(pem)) {
    problems.push(`privateKey: not a PEM private key (header or footer missing); ${PEM_HINT}`);
  } else {
    try {
      const key = createPrivateKey(pem);
      if (key.asymmetricKeyType !== 'rsa') {
        problems.push(`privateKey: an ${key.asymmetricKeyType} key; Alipay needs an RSA key (openssl genrsa)`);
      } else if (key.asymmetricKeyDetails.modulusLength < 2048) {
        problems.push(`privateKey: RSA ${key.asymmetricKeyDetails.modulusLength} bits; Alipay needs 2048 (openssl genrsa -out private.pem 2048)`);
      }
    } catch (err) {
      problems.push(`privateKey: cannot be parsed as a PEM private key (${err.message}); ${PEM_HINT}`);
    }
  }
  if (config.scope !== undefined) {
    const scopes = config.scope.split(/[\s,]+/).filter(Boolean);
    const unknown = scopes.filter((s) => !ALIPAY_SCOPES.includes(s));
    if (scopes.length === 0 || unknown.length > 0) {
      problems.push(`scope: ${JSON.stringify(config.scope)} is not allowed, expected "auth_user" or "auth_base" (or leave it out: the default is auth_user)`);
    }
  }
  return problems;
}

/**
 * Validates a connector configuration as Logto does (the connector's own
 * guard) plus the guide's checks. Returns the parsed configuration (with the
 * guard's defaults, e.g. charset utf8) or throws AlipayConfigError.
 */
export function validateAlipayConfig(raw, { configGuard, source }) {
  const where = `invalid Alipay connector configuration (${source})`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new AlipayConfigError(`${where}: expected a JSON object with appId, privateKey, signType, charset, scope`);
  }
  const result = configGuard.safeParse(raw);
  if (!result.success) {
    throw new AlipayConfigError(`${where}:\n${result.error.issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
  }
  const problems = checkAgainstGuide(result.data);
  if (problems.length > 0) {
    throw new AlipayConfigError(`${where}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  const known = new Set(['appId', 'privateKey', 'signType', 'charset', 'scope']);
  const ignored = Object.keys(raw).filter((k) => !known.has(k));
  return { config: result.data, ignored };
}

/**
 * The app as registered on Alipay's open platform (here: on the stand-in):
 * { appId, publicKey } where publicKey is base64 DER (SPKI) without header,
 * footer or newlines, as Alipay's console takes it.
 */
export function validateAlipayApp(raw, { source }) {
  const where = `invalid Alipay app registration (${source})`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new AlipayConfigError(`${where}: expected a JSON object {"appId", "publicKey"}`);
  }
  const problems = [];
  if (typeof raw.appId !== 'string' || !/^\d{1,16}$/.test(raw.appId)) {
    problems.push('appId: missing or not an Alipay APPID (digits only, at most 16)');
  }
  let publicKey;
  if (typeof raw.publicKey !== 'string' || raw.publicKey === '') {
    problems.push('publicKey: missing (the output of `openssl rsa -in private.pem -pubout` without header, footer and newlines)');
  } else if (/-----|\s/.test(raw.publicKey)) {
    problems.push('publicKey: remove the header, the footer and every newline, as Alipay\'s console asks');
  } else {
    try {
      publicKey = createPublicKey({ key: Buffer.from(raw.publicKey, 'base64'), format: 'der', type: 'spki' });
      if (publicKey.asymmetricKeyType !== 'rsa') problems.push('publicKey: not an RSA public key');
    } catch (err) {
      problems.push(`publicKey: not a base64 RSA public key (${err.message})`);
    }
  }
  if (problems.length > 0) {
    throw new AlipayConfigError(`${where}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return { appId: raw.appId, publicKey: raw.publicKey, publicKeyObject: publicKey };
}

/**
 * Loads the connector like Logto: the factory with a `getConfig` that returns
 * this instance's configuration, then validates that configuration.
 *
 * @param {object} options
 * @param {string} [options.configPath]  --alipay-config; absent: a generated dev configuration
 * @param {string} [options.appPath]     --alipay-app; absent: derived from the configuration
 * @returns {Promise<{ connector, connectorId, config, app, generated: boolean, ignored: string[], defaulted: string[] }>}
 */
export async function loadAlipayConnector({ configPath, appPath } = {}) {
  let rawConfig;
  let source;
  if (configPath) {
    rawConfig = readJsonFile(configPath, '--alipay-config');
    source = `--alipay-config ${configPath}`;
  } else {
    rawConfig = await generateDevAlipayConfig();
    source = 'generated at start-up';
  }

  // Logto: connectorFactory.createConnector({ getConfig }) where getConfig reads
  // the connector row of this instance (the argument is the factory id).
  let current;
  const connector = await createAlipayConnector({ getConfig: async () => current });

  // Logto's console saves what its form holds, and the form starts from the
  // connector's form items' default values (signType RSA2, charset utf8). The
  // connector reads that saved configuration as is (not the guard's parsed
  // output), so a configuration without `charset` would make it fail at the
  // first gateway call ("Encoding not recognized: 'undefined'"). The guide
  // calls charset optional: fill the console's defaults in, as the form does.
  const defaulted = [];
  if (rawConfig !== null && typeof rawConfig === 'object' && !Array.isArray(rawConfig)) {
    rawConfig = { ...rawConfig };
    for (const item of connector.metadata.formItems ?? []) {
      if (item.defaultValue !== undefined && rawConfig[item.key] === undefined) {
        rawConfig[item.key] = item.defaultValue;
        defaulted.push(`${item.key}=${item.defaultValue}`);
      }
    }
  }
  const { config, ignored } = validateAlipayConfig(rawConfig, { configGuard: connector.configGuard, source });
  current = rawConfig;

  let app;
  if (appPath) {
    app = validateAlipayApp(readJsonFile(appPath, '--alipay-app'), { source: `--alipay-app ${appPath}` });
  } else {
    app = validateAlipayApp(
      { appId: config.appId, publicKey: alipayPublicKeyFromPrivateKey(config.privateKey) },
      { source: 'derived from the connector configuration' },
    );
  }

  return {
    connector,
    connectorId: ALIPAY_CONNECTOR_ID,
    config,
    app,
    generated: !configPath,
    ignored,
    defaulted,
  };
}
