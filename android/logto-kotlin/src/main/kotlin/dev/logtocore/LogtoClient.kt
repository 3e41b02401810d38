package dev.logtocore

import dev.logtocore.ffi.AccessTokenClaims
import dev.logtocore.ffi.AuthStateEvent
import dev.logtocore.ffi.AuthStateListener
import dev.logtocore.ffi.GetAccessTokenOptions
import dev.logtocore.ffi.IdTokenClaims
import dev.logtocore.ffi.LogtoConfig
import dev.logtocore.ffi.LogtoCoreClient
import dev.logtocore.ffi.LogtoException
import dev.logtocore.ffi.OidcConfig
import dev.logtocore.ffi.SignInOptions
import dev.logtocore.ffi.SignOutOptions
import dev.logtocore.ffi.Storage
import dev.logtocore.ffi.UserInfo
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.BufferOverflow
import kotlinx.coroutines.flow.MutableSharedFlow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.SharedFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asSharedFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.withContext

/** Whether a session exists, as far as this client knows. */
enum class AuthState {
    /** Not known yet: nothing has read the storage (call [LogtoClient.isAuthenticated]). */
    UNKNOWN,
    SIGNED_IN,
    SIGNED_OUT,
}

/**
 * Logto sign-in for Kotlin: the Rust core's client with `suspend` functions, the browser sign-in flow, and the
 * session as a [StateFlow].
 *
 * Every call runs on [dispatcher] (default [Dispatchers.IO]): the core calls [Storage] synchronously on the thread
 * that runs the call, and host storage (Keystore, files) must not block the main thread. Errors are
 * [LogtoException]s; read [code] for the stable code.
 *
 * Thread-safe. Use one instance per app id; [close] it (or let it be garbage-collected) to free the native client.
 */
class LogtoClient(
    config: LogtoConfig,
    storage: Storage,
    private val dispatcher: CoroutineDispatcher = Dispatchers.IO,
    private val coordinator: BrowserFlowCoordinator = BrowserFlowCoordinator(),
) : AutoCloseable {
    /** The generated binding, for anything this class does not wrap. */
    val core: LogtoCoreClient = LogtoCoreClient(config, storage)

    private val _events = MutableSharedFlow<AuthStateEvent>(
        extraBufferCapacity = 64,
        onBufferOverflow = BufferOverflow.DROP_OLDEST,
    )
    private val _authState = MutableStateFlow(AuthState.UNKNOWN)

    /** Every session change reported by the core (signed in, tokens refreshed, signed out, session expired). */
    val events: SharedFlow<AuthStateEvent> = _events.asSharedFlow()

    /** The session state, updated by every event and by [isAuthenticated]. */
    val authState: StateFlow<AuthState> = _authState.asStateFlow()

    private val listener = object : AuthStateListener {
        override fun onAuthStateChanged(event: AuthStateEvent) {
            _authState.value = when (event) {
                AuthStateEvent.SIGNED_IN, AuthStateEvent.TOKENS_REFRESHED -> AuthState.SIGNED_IN
                AuthStateEvent.SIGNED_OUT, AuthStateEvent.SESSION_EXPIRED -> AuthState.SIGNED_OUT
            }
            _events.tryEmit(event)
        }
    }

    init {
        core.setAuthStateListener(listener)
    }

    private suspend inline fun <T> io(crossinline block: suspend () -> T): T = withContext(dispatcher) { block() }

    /**
     * Signs in through the browser: builds the authorization URL, opens it with [browser], waits for the redirect and
     * completes the sign-in. Fails with `user_cancelled` if the user closes the browser, `sign_in_in_progress` if
     * another sign-in or sign-out is running, `browser_unavailable` if no browser can be opened.
     */
    suspend fun signIn(options: SignInOptions, browser: BrowserLauncher) {
        coordinator.exclusive {
            val url = io { core.signInUrl(options) }
            when (val outcome = coordinator.roundTrip(url, options.redirectUri, browser)) {
                is BrowserOutcome.Redirected -> io { core.handleSignInCallback(outcome.url) }
                BrowserOutcome.Closed -> throw PlatformErrors.userCancelled()
            }
        }
    }

    /**
     * Signs out: removes the session at once (never waiting on the network; the refresh token is revoked in the
     * background and retried later if that fails), then, if [browser] is given, opens the end-session page so Logto's
     * browser session ends too. Closing that page is not an error. Returns the end-session URL. [idTokenHint] and
     * [state] go on the end-session URL.
     */
    suspend fun signOut(
        postLogoutRedirectUri: String? = null,
        browser: BrowserLauncher? = null,
        idTokenHint: Boolean = false,
        state: String? = null,
    ): String {
        val options = SignOutOptions(postLogoutRedirectUri, idTokenHint, state)
        if (browser == null) return io { core.signOutWithOptions(options) }
        return coordinator.exclusive {
            val url = io { core.signOutWithOptions(options) }
            // Redirected or closed: either way the local session is already gone.
            coordinator.roundTrip(url, postLogoutRedirectUri ?: url, browser)
            url
        }
    }

    /** Revokes now the refresh tokens still waiting for revocation; returns how many are still waiting. */
    suspend fun revokePendingTokens(): Int = io { core.revokePendingTokens().toInt() }

    /** The discovery document (from the cache when there is one). */
    suspend fun getOidcConfig(): OidcConfig = io { core.getOidcConfig() }

    /** True when [url] is the pending sign-in's redirect URI (query and fragment aside). */
    suspend fun isSignInRedirected(url: String): Boolean = io { core.isSignInRedirected(url) }

    /** The authorization URL for a browser flow the app runs itself; finish with [handleSignInCallback]. */
    suspend fun signInUrl(options: SignInOptions): String = io { core.signInUrl(options) }

    /**
     * Completes a sign-in from the redirect URL, e.g. one that arrived after the process was restarted (the pending
     * sign-in is persisted).
     */
    suspend fun handleSignInCallback(callbackUrl: String) = io { core.handleSignInCallback(callbackUrl) }

    suspend fun isAuthenticated(): Boolean = io {
        core.isAuthenticated().also { signedIn ->
            // Only fill in the unknown state: an event that arrived meanwhile is newer than this read.
            _authState.compareAndSet(AuthState.UNKNOWN, if (signedIn) AuthState.SIGNED_IN else AuthState.SIGNED_OUT)
        }
    }

    suspend fun prefetch() = io { core.prefetch() }

    suspend fun getIdToken(): String? = io { core.getIdToken() }

    suspend fun getIdTokenClaims(): IdTokenClaims = io { core.getIdTokenClaims() }

    suspend fun getRefreshToken(): String? = io { core.getRefreshToken() }

    suspend fun getAccessToken(resource: String? = null, organizationId: String? = null, forceRefresh: Boolean = false): String =
        io {
            if (forceRefresh) {
                core.getAccessTokenWithOptions(resource, organizationId, GetAccessTokenOptions(forceRefresh = true))
            } else {
                core.getAccessToken(resource, organizationId)
            }
        }

    suspend fun getAccessTokenClaims(resource: String? = null): AccessTokenClaims = io { core.getAccessTokenClaims(resource) }

    suspend fun getOrganizationToken(organizationId: String): String = io { core.getOrganizationToken(organizationId) }

    suspend fun getOrganizationTokenClaims(organizationId: String): AccessTokenClaims =
        io { core.getOrganizationTokenClaims(organizationId) }

    suspend fun fetchUserInfo(): UserInfo = io { core.fetchUserInfo() }

    suspend fun clearAccessToken() = io { core.clearAccessToken() }

    suspend fun clearAllTokens() = io { core.clearAllTokens() }

    override fun close() {
        core.setAuthStateListener(null)
        core.close()
    }
}
