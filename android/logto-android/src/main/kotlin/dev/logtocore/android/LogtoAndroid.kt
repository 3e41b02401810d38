package dev.logtocore.android

import android.content.Context
import dev.logtocore.LogtoClient
import dev.logtocore.ffi.LogtoConfig
import dev.logtocore.ffi.SignInOptions

/** Android entry points: a client with Keystore storage, and sign-in/out through Custom Tabs. */
object LogtoAndroid {
    /**
     * Sets up the platform trust store (Android's certificate verification, see [PlatformTls]) for this process.
     * [client] does it; call it yourself before creating a [LogtoClient] directly. Idempotent.
     */
    fun init(context: Context) = PlatformTls.init(context)

    /** A [LogtoClient] whose session is stored encrypted by [KeystoreStorage], namespaced by `config.appId`. */
    fun client(context: Context, config: LogtoConfig): LogtoClient {
        init(context)
        return LogtoClient(config, KeystoreStorage(context.applicationContext, config.appId))
    }

    /**
     * Warms up the Custom Tabs browser (binds its service, starts its process) so that a sign-in soon after opens
     * faster. Call it when a sign-in is likely (a sign-in screen is shown); [signIn] also does it.
     */
    fun warmUp(context: Context) = CustomTabsWarmup.warmUp(context)
}

/** Signs in through a Custom Tab; see [LogtoClient.signIn]. */
suspend fun LogtoClient.signIn(context: Context, options: SignInOptions) =
    signIn(options, CustomTabsBrowserLauncher(context))

/** Signs out and ends Logto's browser session in a Custom Tab; see [LogtoClient.signOut]. */
suspend fun LogtoClient.signOut(context: Context, postLogoutRedirectUri: String): String =
    signOut(postLogoutRedirectUri, CustomTabsBrowserLauncher(context))
