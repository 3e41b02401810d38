package dev.logtocore.capacitor

import dev.logtocore.BrowserFlowCoordinator
import dev.logtocore.BrowserLauncher
import dev.logtocore.BrowserOutcome
import dev.logtocore.BrowserSession
import dev.logtocore.LogtoClient
import dev.logtocore.PlatformErrors
import dev.logtocore.code
import dev.logtocore.errorMessage
import dev.logtocore.ffi.AuthStateEvent
import dev.logtocore.ffi.DirectSignInMethod
import dev.logtocore.ffi.ExtraParam
import dev.logtocore.ffi.Identifier
import dev.logtocore.ffi.LogtoConfig
import dev.logtocore.ffi.LogtoException
import dev.logtocore.ffi.SignInOptions
import dev.logtocore.ffi.Storage
import dev.logtocore.ffi.defaultLogtoConfig
import dev.logtocore.ffi.parseFirstScreen
import dev.logtocore.ffi.parsePrompt
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import org.json.JSONObject
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicLong
import dev.logtocore.ffi.DirectSignIn as CoreDirectSignIn

// The Android implementation of the LogtoNative bridge, on top of the Kotlin layer of android/ (LogtoClient,
// BrowserFlowCoordinator, the generated bindings). Pure Kotlin + org.json: everything Android-specific (Custom Tabs,
// Keystore storage, SharedPreferences, the activity) comes in through LogtoNativePlatform, so this file is compiled
// and tested on the desktop JVM against the real Rust core and the dev IdP (android/jvm-test).

/**
 * What [LogtoNativeImplementation] needs from the platform. On Android: `AndroidLogtoPlatform` (Keystore storage,
 * Custom Tabs through logto-android, SharedPreferences); in the JVM tests: a headless browser and memory stores.
 */
interface LogtoNativePlatform {
    /** The storage of the session of the Logto app [appId] (Android: `KeystoreStorage`, namespaced by app id). */
    fun storage(appId: String): Storage

    /**
     * A browser for one round trip, styled with [options] (Android: `CustomTabsBrowserLauncher`). Its `launch` throws
     * when no browser can be shown (`browser_unavailable`).
     */
    fun browser(options: AndroidBrowserOptions): BrowserLauncher

    /** Closes the browser of the running round trip, if it is still open (after a timeout). */
    fun dismissBrowser()

    /**
     * A redirect that reached the app while no round trip was waiting for it (Android: `LogtoRedirects.take()`, e.g.
     * after the process was killed while the browser was open). Returns and forgets it.
     */
    fun takeUnhandledRedirect(): String?

    /** Where the "a sign-in is waiting for its redirect" marker is kept; it must survive the process. */
    val pendingSignIns: PendingSignInStore

    /** Wall-clock time in milliseconds (a parameter for the tests). */
    fun nowMillis(): Long = System.currentTimeMillis()

    /** Gets the browser ready for a sign-in that is likely to come (Android: Custom Tabs warm-up). Best effort. */
    fun warmUpBrowser() {}
}

/** One durable string slot (Android: a SharedPreferences entry written with `commit()`). */
interface PendingSignInStore {
    fun get(): String?
    fun set(value: String)
    fun remove()
}

/**
 * A browser sign-in that was started and has not ended in this process: written right before the browser opens,
 * removed when `signIn` settles. If the process dies in between, the next start finds it and completes the sign-in
 * from the redirect URL (the core persisted the PKCE verifier, `state` and `nonce` in the app's storage).
 */
data class PendingSignIn(val appId: String, val redirectUri: String, val startedAtMillis: Long) {
    fun toJson(): String =
        JSONObject().put("appId", appId).put("redirectUri", redirectUri).put("startedAt", startedAtMillis).toString()

    companion object {
        fun fromJson(json: String?): PendingSignIn? = try {
            json?.let { JSONObject(it) }?.let {
                PendingSignIn(it.getString("appId"), it.getString("redirectUri"), it.getLong("startedAt"))
            }
        } catch (e: Exception) { // not ours / corrupt: ignore
            null
        }
    }
}

/**
 * The Android implementation of the `LogtoNative` plugin: what `LogtoNativePlugin` delegates every call to.
 *
 * - One [LogtoClient] per configuration (its storage namespaced by app id, so the session survives a
 *   reconfiguration with the same `appId`); one [BrowserFlowCoordinator] for the whole plugin, so a second concurrent
 *   `signIn`/`signOut` fails with `sign_in_in_progress` even across reconfigurations.
 * - Browser round trips run through the coordinator (a redirect racing the "tab closed" event wins), with the
 *   configured `signInTimeoutMs`: when it runs out the browser is dismissed and the call fails with `timeout`.
 * - Cold start: a [PendingSignIn] marker is written before the browser opens; a redirect that arrives in a new
 *   process ([onRedirect] with the launch intent's URL, or [LogtoNativePlatform.takeUnhandledRedirect]) completes
 *   the sign-in once [configure] has created the client (`signedIn` is emitted).
 * - Every failure is a [LogtoBridgeException] with the core's stable code and safe message.
 *
 * Thread-safe; suspend functions may be called from the main thread (the core runs on [Dispatchers.IO]).
 */
class LogtoNativeImplementation(
    private val platform: LogtoNativePlatform,
    private val coordinator: BrowserFlowCoordinator = BrowserFlowCoordinator(),
) {
    private class Configured(val request: ConfigureRequest, val client: LogtoClient, val events: Job)

    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Unconfined)
    private val configureLock = Mutex()
    private val coldStartLock = Mutex()

    @Volatile private var configured: Configured? = null

    @Volatile private var listener: ((AuthStateChangeType) -> Unit)? = null

    /** How many times the core removed the session because the server refused the refresh token. */
    private val sessionExpiries = AtomicLong()

    /** The browser round trip that is open (sign-in or sign-out), if any. */
    @Volatile private var activeFlow: RoundTrip? = null

    /** A redirect URL that may belong to a sign-in of a previous process, waiting for [configure]. */
    @Volatile private var coldStartUrl: String? = null

    /** The last cold-start callback completed and its failure (null = success), for a repeated handleSignInCallback. */
    @Volatile private var lastColdStart: Pair<String, LogtoException?>? = null

    // ------------------------------------------------------------------------------------------------ configuration

    /**
     * Creates the client, or replaces it when the Logto configuration changed (the session is kept when `appId` is
     * unchanged: it lives in the app id's storage). Then completes a sign-in left over by a previous process.
     */
    suspend fun configure(request: ConfigureRequest) = bridged {
        configureLock.withLock {
            val current = configured
            if (current == null || current.request.config != request.config) {
                val client = LogtoClient(request.config.toLogtoConfig(), platform.storage(request.config.appId),
                    coordinator = coordinator)
                val events = scope.launch(start = CoroutineStart.UNDISPATCHED) {
                    client.events.collect { event ->
                        if (event == AuthStateEvent.SESSION_EXPIRED) sessionExpiries.incrementAndGet()
                        // A failing listener must not stop the events that follow.
                        runCatching { listener?.invoke(event.toChangeType()) }
                    }
                }
                configured = Configured(request, client, events)
                current?.let { retire(it) }
            } else if (current.request != request) {
                configured = Configured(request, current.client, current.events) // only the browser options changed
            }
        }
        runCatching { platform.warmUpBrowser() }
        completeColdStart()
    }

    private fun retire(old: Configured) {
        old.events.cancel()
        // A flow of the old client may still run; the native client is then freed by its cleaner instead.
        if (!coordinator.isBusy) runCatching { old.client.close() }
    }

    private fun requireConfigured(): Configured =
        configured ?: throw LogtoBridgeException("invalid_config", "LogtoNative.configure has not been called.")

    // ------------------------------------------------------------------------------------------------ browser flows

    /**
     * Signs in through the browser: authorization URL → browser → redirect → code exchange. Fails with
     * `user_cancelled` (browser closed), `timeout`, `sign_in_in_progress`, `browser_unavailable`, or the core's
     * callback/token errors. The previous session is replaced only on success.
     */
    suspend fun signIn(request: SignInRequest) = bridged {
        val current = requireConfigured()
        val options = request.toSignInOptions()
        val flow = RoundTrip(current, signIn = true)
        try {
            current.client.signIn(options, flow)
            flow.settle(null)
        } catch (e: LogtoException.UserCancelled) {
            val error = if (flow.timedOut) PlatformErrors.timeout() else e
            flow.settle(error)
            throw error
        } catch (e: Throwable) {
            flow.settle(e)
            throw e
        } finally {
            flow.finish()
        }
    }

    /**
     * Signs out: removes the session and revokes the refresh token (the core; emits `signedOut`), then opens the
     * end-session page. With [postLogoutRedirectUri] it settles on that redirect (`user_cancelled` if the browser is
     * closed first); without one, on the browser being closed. `timeout` when `signInTimeoutMs` runs out. In every
     * failure after the first step the local sign-out has happened.
     */
    suspend fun signOut(postLogoutRedirectUri: String?) = bridged {
        val current = requireConfigured()
        coordinator.exclusive {
            val endSessionUrl = current.client.signOut(postLogoutRedirectUri)
            val flow = RoundTrip(current, signIn = false)
            try {
                when (coordinator.roundTrip(endSessionUrl, postLogoutRedirectUri ?: endSessionUrl, flow)) {
                    is BrowserOutcome.Redirected -> Unit
                    BrowserOutcome.Closed -> when {
                        flow.timedOut -> throw PlatformErrors.timeout()
                        postLogoutRedirectUri != null -> throw PlatformErrors.userCancelled()
                        else -> Unit
                    }
                }
            } finally {
                flow.finish()
            }
        }
    }

    /**
     * A URL reached the app from outside (the plugin's `handleOnNewIntent`, or the launch intent at `load`). If it is
     * the redirect of the open round trip, the round trip ends with it. If it is the redirect of a sign-in started by
     * a previous process, it is kept and completed once configured. Returns whether the URL was taken.
     */
    fun onRedirect(url: String): Boolean {
        activeFlow?.let { flow ->
            if (flow.matches(url)) return flow.deliver(url)
        }
        val marker = PendingSignIn.fromJson(platform.pendingSignIns.get()) ?: return false
        if (!sameRedirect(url, marker.redirectUri)) return false
        coldStartUrl = url
        if (configured != null) scope.launch { runCatching { completeColdStart() } }
        return true
    }

    /** The app's activity resumed: a redirect may have arrived for a sign-in of a previous process. */
    fun onHostResume() {
        if (configured == null || PendingSignIn.fromJson(platform.pendingSignIns.get()) == null) return
        scope.launch { runCatching { completeColdStart() } }
    }

    /**
     * Completes a sign-in from a redirect URL the app received itself. The open sign-in takes it (and this call
     * settles like that sign-in); else the core completes its persisted pending sign-in (after a cold start), or
     * fails with `sign_in_session.not_found`.
     */
    suspend fun handleSignInCallback(url: String) = bridged {
        val current = requireConfigured()
        val flow = activeFlow
        if (flow != null && flow.signIn && flow.matches(url)) {
            flow.deliver(url)
            flow.outcome.await()?.let { throw it }
            return@bridged
        }
        lastColdStart?.let { (handled, error) ->
            if (handled == url) {
                lastColdStart = null
                error?.let { throw it }
                return@bridged
            }
        }
        current.client.handleSignInCallback(url)
        val marker = PendingSignIn.fromJson(platform.pendingSignIns.get())
        if (marker != null && sameRedirect(url, marker.redirectUri)) platform.pendingSignIns.remove()
    }

    /**
     * Completes the sign-in a previous process left pending, if its redirect has arrived: the marker must be for the
     * configured app id, not older than the sign-in timeout, and the URL must be its redirect URI. Failures are not
     * reported to a caller (none is waiting); the app sees the result through `isAuthenticated` / `signedIn`.
     */
    private suspend fun completeColdStart() {
        val current = configured ?: return
        coldStartLock.withLock {
            if (coordinator.isBusy) return // a flow of this process owns the marker now
            val marker = PendingSignIn.fromJson(platform.pendingSignIns.get()) ?: return
            if (marker.appId != current.request.config.appId) return
            val maxAge = current.request.signInTimeoutMs.takeIf { it > 0 } ?: COLD_START_MAX_AGE_MS
            if (platform.nowMillis() - marker.startedAtMillis > maxAge) {
                platform.pendingSignIns.remove()
                coldStartUrl = null
                return
            }
            val url = coldStartUrl?.takeIf { sameRedirect(it, marker.redirectUri) }
                ?: platform.takeUnhandledRedirect()?.takeIf { sameRedirect(it, marker.redirectUri) }
                ?: return
            coldStartUrl = null
            platform.pendingSignIns.remove()
            lastColdStart = try {
                current.client.handleSignInCallback(url)
                url to null
            } catch (e: LogtoException) {
                url to e
            }
        }
    }

    /**
     * One browser round trip, wrapped around the platform's browser: remembers the session (for [onRedirect] and
     * [handleSignInCallback]), writes the cold-start marker of a sign-in, and enforces the timeout by dismissing the
     * browser and reporting it closed (a redirect that races the timeout still wins).
     */
    private inner class RoundTrip(private val config: Configured, val signIn: Boolean) : BrowserLauncher {
        private val ended = AtomicBoolean(false)
        private var launched = false
        private var timer: Job? = null

        @Volatile private var session: BrowserSession? = null

        @Volatile private var redirectUri: String? = null

        @Volatile var timedOut = false
            private set

        /** How the sign-in ended (null = success), for a handleSignInCallback that delivered its redirect. */
        val outcome = CompletableDeferred<Throwable?>()

        override fun launch(url: String, redirectUri: String, session: BrowserSession) {
            val tracked = object : BrowserSession {
                override fun onRedirect(url: String): Boolean = session.onRedirect(url).also { if (it) ended.set(true) }

                override fun onClosed() {
                    ended.set(true)
                    session.onClosed()
                }
            }
            this.redirectUri = redirectUri
            this.session = tracked
            if (signIn) {
                platform.pendingSignIns.set(
                    PendingSignIn(config.request.config.appId, redirectUri, platform.nowMillis()).toJson(),
                )
            }
            launched = true
            activeFlow = this
            platform.browser(config.request.android).launch(url, redirectUri, tracked)
            val timeout = config.request.signInTimeoutMs
            if (timeout > 0) {
                timer = scope.launch {
                    delay(timeout)
                    expire()
                }
            }
        }

        fun matches(url: String): Boolean = redirectUri?.let { sameRedirect(url, it) } ?: false

        fun deliver(url: String): Boolean = session?.onRedirect(url) ?: false

        private fun expire() {
            if (!ended.compareAndSet(false, true)) return
            timedOut = true
            runCatching { platform.dismissBrowser() }
            session?.onClosed()
        }

        fun settle(error: Throwable?) {
            outcome.complete(error)
        }

        fun finish() {
            timer?.cancel()
            outcome.complete(null)
            if (activeFlow === this) activeFlow = null
            if (signIn && launched) platform.pendingSignIns.remove()
        }
    }

    // ------------------------------------------------------------------------------------------------ tokens, claims

    suspend fun isAuthenticated(): Boolean = bridged { requireConfigured().client.isAuthenticated() }

    /** The discovery document, with `@logto/client`'s camelCase keys. */
    suspend fun getOidcConfig(): JSONObject = bridged { oidcConfigJson(requireConfigured().client.getOidcConfig()) }

    /** True when [url] is the pending sign-in's redirect URI (query and fragment aside); changes nothing. */
    suspend fun isSignInRedirected(url: String): Boolean = bridged { requireConfigured().client.isSignInRedirected(url) }

    suspend fun getIdToken(): String? = bridged { requireConfigured().client.getIdToken() }

    /** The ID token's claims as `@logto/js` has them (claim names of the token; a single `aud` as a string). */
    suspend fun getIdTokenClaims(): JSONObject = bridged { claimsJson(requireConfigured().client.getIdTokenClaims().rawJson) }

    suspend fun getRefreshToken(): String? = bridged { requireConfigured().client.getRefreshToken() }

    suspend fun getAccessToken(resource: String?, organizationId: String?): String =
        refreshing { getAccessToken(resource, organizationId) }

    suspend fun getAccessTokenClaims(resource: String?): JSONObject =
        claimsJson(refreshing { getAccessTokenClaims(resource) }.rawJson)

    suspend fun getOrganizationToken(organizationId: String): String =
        refreshing { getOrganizationToken(organizationId) }

    suspend fun getOrganizationTokenClaims(organizationId: String): JSONObject =
        claimsJson(refreshing { getOrganizationTokenClaims(organizationId) }.rawJson)

    /** The user-info response as JSON (claim names of the endpoint; `custom_data` etc. as JSON values). */
    suspend fun fetchUserInfo(): JSONObject = JSONObject(refreshing { fetchUserInfo() }.rawJson)

    /**
     * Runs a call that may refresh tokens. When the server refuses the refresh token the core removes the session,
     * emits `sessionExpired` and fails with `not_authenticated`; the bridge contract (and the web platform, like
     * `@logto/browser`) reports that case as `oidc.invalid_grant`, so it is translated here.
     */
    private suspend inline fun <T> refreshing(crossinline call: suspend LogtoClient.() -> T): T = bridged {
        val client = requireConfigured().client
        val expiries = sessionExpiries.get()
        try {
            client.call()
        } catch (e: LogtoException.NotAuthenticated) {
            if (sessionExpiries.get() == expiries) throw e
            throw LogtoBridgeException(
                "oidc.invalid_grant",
                "The refresh token was refused (invalid_grant); sign in again.",
                mapOf("error" to "invalid_grant"),
                e,
            )
        }
    }

    suspend fun clearAccessToken() = bridged { requireConfigured().client.clearAccessToken() }

    /** Emits `signedOut` when a session was removed. */
    suspend fun clearAllTokens() = bridged { requireConfigured().client.clearAllTokens() }

    // ------------------------------------------------------------------------------------------------ events, life

    /** The listener of `authStateChange` events (null to detach). Called on the thread that changed the session. */
    fun setAuthStateListener(listener: ((AuthStateChangeType) -> Unit)?) {
        this.listener = listener
    }

    /** Detaches [listener] if it is still the one set (a newer plugin instance may have set its own meanwhile). */
    fun removeAuthStateListener(listener: (AuthStateChangeType) -> Unit) {
        if (this.listener === listener) this.listener = null
    }

    /** The plugin is being destroyed: stop forwarding events, end the open round trip, free the native client. */
    fun close() {
        listener = null
        if (activeFlow != null) runCatching { platform.dismissBrowser() }
        scope.cancel()
        configured?.let { runCatching { it.client.close() } }
        configured = null
    }

    companion object {
        /** How long a cold-start marker is honoured when `signInTimeoutMs` is 0 (no timeout). */
        const val COLD_START_MAX_AGE_MS: Long = 24 * 60 * 60 * 1000L
    }
}

// ---------------------------------------------------------------------------------------------------- conversions

/** Runs [block]; every failure becomes a [LogtoBridgeException] with a stable code and a safe message. */
internal suspend inline fun <T> bridged(crossinline block: suspend () -> T): T = try {
    block()
} catch (e: CancellationException) {
    throw e
} catch (e: Throwable) {
    throw e.toBridgeException()
}

/**
 * The bridge error of any failure: the core's code and message for a [LogtoException] (with `{ error,
 * errorDescription }` in `data` for OAuth errors), `internal` with a generic message for anything else (messages of
 * other exceptions are not vetted for secrets).
 */
fun Throwable.toBridgeException(): LogtoBridgeException = when (this) {
    is LogtoBridgeException -> this
    is LogtoException -> LogtoBridgeException(code, errorMessage, oauthData(), this)
    else -> LogtoBridgeException("internal", "Internal error.", null, this)
}

private fun LogtoException.oauthData(): Map<String, Any?>? {
    val (error, description) = when (this) {
        is LogtoException.Oidc -> error to description
        is LogtoException.CallbackErrorFound -> error to description
        else -> return null
    }
    return buildMap {
        put("error", error)
        if (description != null) put("errorDescription", description)
    }
}

/** `NativeLogtoConfig` → the core's config: the core's defaults, then what JavaScript set. */
fun NativeLogtoConfig.toLogtoConfig(): LogtoConfig {
    val defaults = defaultLogtoConfig(endpoint, appId)
    return defaults.copy(
        scopes = scopes ?: defaults.scopes,
        resources = resources ?: defaults.resources,
        prompt = prompt?.map { parsePrompt(it) } ?: defaults.prompt,
        includeReservedScopes = includeReservedScopes,
    )
}

/** `SignInRequest` → the core's sign-in options; values the core does not know fail with `invalid_config`. */
fun SignInRequest.toSignInOptions(): SignInOptions = SignInOptions(
    redirectUri = redirectUri,
    prompt = prompt?.map { parsePrompt(it) },
    firstScreen = firstScreen?.let { parseFirstScreen(it) },
    identifiers = identifiers.orEmpty().map { identifier ->
        when (identifier) {
            "email" -> Identifier.EMAIL
            "phone" -> Identifier.PHONE
            "username" -> Identifier.USERNAME
            else -> throw LogtoBridgeException("invalid_config", "identifiers must be email, phone or username.")
        }
    },
    loginHint = loginHint,
    directSignIn = directSignIn?.let {
        CoreDirectSignIn(if (it.method == "sso") DirectSignInMethod.SSO else DirectSignInMethod.SOCIAL, it.target)
    },
    extraParams = extraParams.map { (name, value) -> ExtraParam(name, value) },
)

/** Claims as `@logto/js` returns them: the token's claim names; a one-element `aud` list becomes a string. */
fun claimsJson(rawJson: String): JSONObject {
    val json = JSONObject(rawJson)
    val aud = json.optJSONArray("aud")
    if (aud != null && aud.length() == 1) json.put("aud", aud.getString(0))
    return json
}

fun AuthStateEvent.toChangeType(): AuthStateChangeType = when (this) {
    AuthStateEvent.SIGNED_IN -> AuthStateChangeType.SIGNED_IN
    AuthStateEvent.TOKENS_REFRESHED -> AuthStateChangeType.TOKENS_REFRESHED
    AuthStateEvent.SIGNED_OUT -> AuthStateChangeType.SIGNED_OUT
    AuthStateEvent.SESSION_EXPIRED -> AuthStateChangeType.SESSION_EXPIRED
}

/**
 * Whether [url] is a redirect to [redirectUri]: same scheme, authority and path (scheme and host compared without
 * case), whatever the query and fragment. `com.example.app://callback/sign-out` is not `com.example.app://callback`.
 */
fun sameRedirect(url: String, redirectUri: String): Boolean {
    fun base(value: String) = value.substringBefore('#').substringBefore('?').trimEnd('/')
    val a = base(url)
    val b = base(redirectUri)
    val schemeEnd = b.indexOf("://")
    if (schemeEnd < 0) return a == b
    val authorityEnd = b.indexOf('/', schemeEnd + 3).let { if (it < 0) b.length else it }
    return a.length == b.length &&
        a.regionMatches(0, b, 0, authorityEnd, ignoreCase = true) &&
        a.regionMatches(authorityEnd, b, authorityEnd, b.length - authorityEnd)
}
