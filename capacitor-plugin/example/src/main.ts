/**
 * Example app for logto-native-capacitor on the web platform (the same code
 * runs in a Capacitor app on iOS/Android, where sign-in uses the native core).
 *
 * Configuration, first match wins:
 * 1. the query string: `?endpoint=http://127.0.0.1:3001&appId=dev-native-app[&extra=dev_login%3Dalice]`
 *    (kept in sessionStorage, so it survives the redirects);
 * 2. `VITE_LOGTO_ENDPOINT` / `VITE_LOGTO_APP_ID` at build time.
 *
 * The redirect URI is `<origin>/callback`, the post sign-out URI `<origin>/callback/sign-out`.
 */
import LogtoClient, { type LogtoConfig } from 'logto-native-capacitor';

type Settings = { endpoint: string; appId: string; extraParams?: Record<string, string> };

const settingsKey = 'logto-native-capacitor-example:settings';
const redirectPath = '/callback';
const signOutPath = '/callback/sign-out';

const element = (id: string): HTMLElement => {
  const found = document.getElementById(id);
  if (!found) {
    throw new Error(`#${id} is missing`);
  }
  return found;
};

const loadSettings = (): Settings | undefined => {
  const query = new URLSearchParams(window.location.search);
  const endpoint = query.get('endpoint');
  const appId = query.get('appId');
  if (endpoint && appId) {
    const extra = query.get('extra');
    const settings: Settings = {
      endpoint,
      appId,
      extraParams: extra ? Object.fromEntries(new URLSearchParams(extra)) : undefined,
    };
    sessionStorage.setItem(settingsKey, JSON.stringify(settings));
    return settings;
  }
  const stored = sessionStorage.getItem(settingsKey);
  if (stored) {
    return JSON.parse(stored) as Settings;
  }
  const env = import.meta.env as Record<string, string | undefined>;
  if (env.VITE_LOGTO_ENDPOINT && env.VITE_LOGTO_APP_ID) {
    return { endpoint: env.VITE_LOGTO_ENDPOINT, appId: env.VITE_LOGTO_APP_ID };
  }
  return undefined;
};

const showError = (error: unknown) => {
  const { name, code, message } = (error ?? {}) as { name?: string; code?: string; message?: string };
  element('error').textContent = code ? `${name ?? 'Error'} [${code}]: ${message ?? ''}` : String(error);
};

const main = async () => {
  const settings = loadSettings();
  if (!settings) {
    element('error').textContent = 'Not configured: add ?endpoint=…&appId=… to the URL.';
    document.body.dataset.ready = 'true';
    return;
  }
  element('endpoint').textContent = settings.endpoint;
  element('app-id').textContent = settings.appId;

  const config: LogtoConfig = { endpoint: settings.endpoint, appId: settings.appId };
  const client = new LogtoClient(config, { signInTimeoutMs: 120_000 });

  const events: string[] = [];
  await client.onAuthStateChange((change) => {
    events.push(change.type);
    element('events').textContent = events.join('\n');
  });

  const render = async () => {
    const authenticated = await client.isAuthenticated();
    element('is-authenticated').textContent = String(authenticated);
    element('claims').textContent = authenticated ? JSON.stringify(await client.getIdTokenClaims(), null, 2) : '';
  };

  element('sign-in').addEventListener('click', () => {
    client
      .signIn({ redirectUri: `${window.location.origin}${redirectPath}`, extraParams: settings.extraParams })
      .catch(showError);
  });
  element('sign-out').addEventListener('click', () => {
    client.signOut(`${window.location.origin}${signOutPath}`).catch(showError);
  });
  element('fetch-user-info').addEventListener('click', () => {
    client
      .fetchUserInfo()
      .then((userInfo) => {
        element('user-info').textContent = JSON.stringify(userInfo, null, 2);
      })
      .catch(showError);
  });
  element('refresh-tokens').addEventListener('click', () => {
    client
      .clearAccessToken()
      .then(async () => client.getAccessToken())
      .then(render)
      .catch(showError);
  });

  element('show-oidc-config').addEventListener('click', () => {
    client
      .getOidcConfig()
      .then((oidcConfig) => {
        element('oidc-config').textContent = JSON.stringify(oidcConfig, null, 2);
      })
      .catch(showError);
  });

  // The redirect back from Logto: a page load at the pending sign-in's redirect URI.
  const redirected = await client.isSignInRedirected(window.location.href);
  element('sign-in-redirected').textContent = String(redirected);
  if (redirected) {
    try {
      await client.handleSignInCallback(window.location.href);
    } catch (error: unknown) {
      showError(error);
    }
    window.history.replaceState({}, '', '/');
  }

  await render();
  document.body.dataset.ready = 'true';
};

main().catch((error: unknown) => {
  showError(error);
  document.body.dataset.ready = 'true';
});
