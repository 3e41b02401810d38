package dev.logtocore.capacitor

import android.app.Activity
import org.json.JSONObject

/**
 * What the Capacitor bridge class ([LogtoNativePlugin]) delegates to. The
 * concrete implementation (calling the Rust core through the logto-android
 * library: Custom Tabs, Keystore-backed storage, single-flight refresh) is
 * written in a later phase: see NATIVE_TODO.md.
 *
 * Every failure is a [LogtoBridgeException] with a stable code; anything else
 * is reported as `internal`. Suspend functions are called on the main thread
 * and must not block it.
 */
interface LogtoNativeImplementation {
    /** Create or replace the client. Keeps the stored session when endpoint and appId are unchanged. */
    suspend fun configure(request: ConfigureRequest)

    /**
     * Open a Custom Tab on the authorization URL from [activity], wait for the
     * redirect ([onRedirect]) or the tab being closed ([onHostResume] without a
     * redirect → `user_cancelled`) or the timeout (`timeout`), then verify and
     * exchange. Emits [AuthStateChangeType.SIGNED_IN].
     */
    suspend fun signIn(activity: Activity, request: SignInRequest)

    /** Revoke, clear, emit SIGNED_OUT, then end the browser session (see the bridge contract). */
    suspend fun signOut(activity: Activity, postLogoutRedirectUri: String?)

    suspend fun isAuthenticated(): Boolean

    suspend fun getIdToken(): String?

    /** The ID token claims as JSON. `not_authenticated` without an ID token. */
    suspend fun getIdTokenClaims(): JSONObject

    suspend fun getRefreshToken(): String?

    suspend fun getAccessToken(resource: String?, organizationId: String?): String

    suspend fun getAccessTokenClaims(resource: String?): JSONObject

    suspend fun getOrganizationToken(organizationId: String): String

    suspend fun getOrganizationTokenClaims(organizationId: String): JSONObject

    suspend fun fetchUserInfo(): JSONObject

    suspend fun clearAccessToken()

    /** Emits SIGNED_OUT. */
    suspend fun clearAllTokens()

    /** Complete the pending sign-in with [url]; `sign_in_session.not_found` when none is pending. */
    suspend fun handleSignInCallback(url: String)

    /** A deep link reached the activity (`handleOnNewIntent`). Returns whether it completed a pending flow. */
    fun onRedirect(url: String): Boolean

    /** The app's activity resumed: a Custom Tab closed without a redirect means the user cancelled. */
    fun onHostResume()

    /** The listener for `authStateChange` events (null to detach). */
    fun setAuthStateListener(listener: ((AuthStateChangeType) -> Unit)?)

    /** The plugin is being destroyed: cancel pending flows (they reject with `internal`). */
    fun close()
}

/** Creates the implementation. Replaced by the real one in the next phase (NATIVE_TODO.md). */
object LogtoNativeImplementations {
    @JvmStatic
    fun create(@Suppress("UNUSED_PARAMETER") plugin: LogtoNativePlugin): LogtoNativeImplementation =
        PendingLogtoNativeImplementation()
}

/** Placeholder until the core-backed implementation exists: every call rejects with `internal`. */
class PendingLogtoNativeImplementation : LogtoNativeImplementation {
    private fun pending(): Nothing =
        throw LogtoBridgeException("internal", "logto-native-capacitor: the Android implementation is not available yet.")

    override suspend fun configure(request: ConfigureRequest) = pending()
    override suspend fun signIn(activity: Activity, request: SignInRequest) = pending()
    override suspend fun signOut(activity: Activity, postLogoutRedirectUri: String?) = pending()
    override suspend fun isAuthenticated(): Boolean = pending()
    override suspend fun getIdToken(): String? = pending()
    override suspend fun getIdTokenClaims(): JSONObject = pending()
    override suspend fun getRefreshToken(): String? = pending()
    override suspend fun getAccessToken(resource: String?, organizationId: String?): String = pending()
    override suspend fun getAccessTokenClaims(resource: String?): JSONObject = pending()
    override suspend fun getOrganizationToken(organizationId: String): String = pending()
    override suspend fun getOrganizationTokenClaims(organizationId: String): JSONObject = pending()
    override suspend fun fetchUserInfo(): JSONObject = pending()
    override suspend fun clearAccessToken() = pending()
    override suspend fun clearAllTokens() = pending()
    override suspend fun handleSignInCallback(url: String) = pending()
    override fun onRedirect(url: String): Boolean = false
    override fun onHostResume() = Unit
    override fun setAuthStateListener(listener: ((AuthStateChangeType) -> Unit)?) = Unit
    override fun close() = Unit
}
