package dev.logtocore

import dev.logtocore.ffi.LogtoException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.selects.select
import kotlinx.coroutines.withTimeoutOrNull
import java.util.concurrent.atomic.AtomicBoolean

/**
 * One browser round trip, as seen by the platform's browser integration. Report exactly how it ended, from any
 * thread: [onRedirect] when the browser reached the redirect URI, [onClosed] when the user closed the browser.
 * The first outcome wins, except that a redirect reported within the coordinator's grace period after a close
 * still wins (the two can arrive in either order when the browser closes itself on redirect).
 */
interface BrowserSession {
    /**
     * The browser was sent to [url] (the redirect URI with the response parameters). Returns false if this round
     * trip is already over (for example the user cancelled earlier), in which case the URL was not used.
     */
    fun onRedirect(url: String): Boolean

    /** The user closed the browser (or it was dismissed) without reaching the redirect URI. */
    fun onClosed()
}

/**
 * Opens a URL in a browser the platform provides: Custom Tabs on Android, a headless HTTP client in tests.
 */
fun interface BrowserLauncher {
    /**
     * Opens [url] for a round trip that ends at [redirectUri], and returns once the browser is shown. The outcome is
     * reported later through [session]. Throwing means no browser could be opened (`browser_unavailable`).
     */
    fun launch(url: String, redirectUri: String, session: BrowserSession)
}

/** How a browser round trip ended. */
sealed interface BrowserOutcome {
    data class Redirected(val url: String) : BrowserOutcome
    data object Closed : BrowserOutcome
}

/**
 * Runs browser round trips one at a time and turns the platform's events into an outcome.
 *
 * - [exclusive] makes a second concurrent sign-in (or sign-out) fail with `sign_in_in_progress` instead of
 *   silently replacing the first one's pending state.
 * - [roundTrip] waits for the redirect or the close; when the close comes first, it still waits
 *   [closeGracePeriodMillis] for a redirect, so a redirect racing the close is never reported as a cancellation.
 *
 * Pure Kotlin (no Android classes), so it is unit-tested on the JVM with a fake [BrowserLauncher].
 */
class BrowserFlowCoordinator(private val closeGracePeriodMillis: Long = DEFAULT_CLOSE_GRACE_MILLIS) {
    private val busy = AtomicBoolean(false)

    /** True while a round trip (or the sign-in around it) is running. */
    val isBusy: Boolean get() = busy.get()

    /** Runs [block] as the only flow; throws `sign_in_in_progress` if another is running. */
    suspend fun <T> exclusive(block: suspend () -> T): T {
        if (!busy.compareAndSet(false, true)) throw PlatformErrors.signInInProgress()
        try {
            return block()
        } finally {
            busy.set(false)
        }
    }

    /** Opens [url] with [launcher] and suspends until the round trip ends. */
    suspend fun roundTrip(url: String, redirectUri: String, launcher: BrowserLauncher): BrowserOutcome {
        val session = Session()
        try {
            launcher.launch(url, redirectUri, session)
        } catch (e: LogtoException) {
            throw e
        } catch (e: Exception) {
            throw PlatformErrors.browserUnavailable(e)
        }
        return session.await()
    }

    private inner class Session : BrowserSession {
        private val redirected = CompletableDeferred<String>()
        private val closed = CompletableDeferred<Unit>()
        private val over = AtomicBoolean(false)

        override fun onRedirect(url: String): Boolean = !over.get() && redirected.complete(url)

        override fun onClosed() {
            closed.complete(Unit)
        }

        suspend fun await(): BrowserOutcome = try {
            select {
                redirected.onAwait { BrowserOutcome.Redirected(it) }
                closed.onAwait {
                    val late = withTimeoutOrNull(closeGracePeriodMillis) { redirected.await() }
                    if (late != null) BrowserOutcome.Redirected(late) else BrowserOutcome.Closed
                }
            }
        } finally {
            over.set(true)
        }
    }

    companion object {
        /** How long a close waits for a redirect reported at about the same time. */
        const val DEFAULT_CLOSE_GRACE_MILLIS = 300L
    }
}
