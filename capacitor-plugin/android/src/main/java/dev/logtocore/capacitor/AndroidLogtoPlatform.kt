package dev.logtocore.capacitor

import android.app.Activity
import android.content.Context
import dev.logtocore.BrowserLauncher
import dev.logtocore.android.CustomTabsBrowserLauncher
import dev.logtocore.android.KeystoreStorage
import dev.logtocore.android.LogtoAndroid
import dev.logtocore.android.LogtoAuthActivity
import dev.logtocore.android.LogtoRedirects
import dev.logtocore.ffi.Storage

/**
 * The Android side of [LogtoNativeImplementation], all from the logto-android library (android/ in the repository,
 * `dev.logtocore:logto-android`):
 *
 * - storage: [KeystoreStorage] (AES-GCM under an Android Keystore key, namespaced by app id), after
 *   [LogtoAndroid.init] (the platform trust store's set-up);
 * - browser: [CustomTabsBrowserLauncher] (the invisible `LogtoAuthActivity` opens the Custom Tab; the redirect comes
 *   back through the exported `LogtoRedirectActivity`, whose scheme is the app's `logtoRedirectScheme` manifest
 *   placeholder), dismissed through [LogtoAuthActivity.dismiss], warmed up at `configure` ([LogtoAndroid.warmUp]);
 * - redirects that arrived while no round trip was waiting: [LogtoRedirects.take];
 * - the cold-start marker: the private preferences file `dev.logtocore.capacitor`, written with `commit()`.
 */
internal class AndroidLogtoPlatform(
    private val context: Context,
    private val activity: () -> Activity?,
) : LogtoNativePlatform {
    private val preferences = context.getSharedPreferences(PREFERENCES, Context.MODE_PRIVATE)

    // Called right before each client is created: the platform trust store's one-time set-up goes first.
    override fun storage(appId: String): Storage {
        LogtoAndroid.init(context)
        return KeystoreStorage(context, appId)
    }

    override fun browser(options: AndroidBrowserOptions): BrowserLauncher =
        CustomTabsBrowserLauncher(activity() ?: context, options.toolbarColor, options.showTitle)

    override fun dismissBrowser() = LogtoAuthActivity.dismiss(activity() ?: context)

    override fun warmUpBrowser() = LogtoAndroid.warmUp(context)

    override fun takeUnhandledRedirect(): String? = LogtoRedirects.take()

    override val pendingSignIns: PendingSignInStore = object : PendingSignInStore {
        override fun get(): String? = preferences.getString(PENDING_SIGN_IN, null)

        override fun set(value: String) {
            preferences.edit().putString(PENDING_SIGN_IN, value).commit()
        }

        override fun remove() {
            preferences.edit().remove(PENDING_SIGN_IN).commit()
        }
    }

    private companion object {
        const val PREFERENCES = "dev.logtocore.capacitor"
        const val PENDING_SIGN_IN = "pendingSignIn"
    }
}
