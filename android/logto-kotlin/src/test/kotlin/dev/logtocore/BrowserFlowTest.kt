package dev.logtocore

import dev.logtocore.ffi.LogtoException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.util.concurrent.CyclicBarrier
import kotlin.concurrent.thread

/** The sign-in flow coordinator with fake browsers: no IdP, no Android. */
class BrowserFlowTest {
    private val callback = "$REDIRECT_URI?code=c&state=s"

    /** A browser that does whatever [react] says once launched. */
    private class FakeBrowser(val react: (BrowserSession) -> Unit) : BrowserLauncher {
        var launched = 0
        override fun launch(url: String, redirectUri: String, session: BrowserSession) {
            launched++
            react(session)
        }
    }

    @Test
    fun `closing the browser ends the round trip as closed`() = runBlocking<Unit> {
        val coordinator = BrowserFlowCoordinator(closeGracePeriodMillis = 50)
        val outcome = coordinator.roundTrip("https://idp/auth", REDIRECT_URI, FakeBrowser { it.onClosed() })
        assertEquals(BrowserOutcome.Closed, outcome)
    }

    @Test
    fun `a redirect ends the round trip with its URL`() = runBlocking<Unit> {
        val coordinator = BrowserFlowCoordinator()
        val outcome = coordinator.roundTrip("https://idp/auth", REDIRECT_URI, FakeBrowser { it.onRedirect(callback) })
        assertEquals(BrowserOutcome.Redirected(callback), outcome)
    }

    @Test
    fun `a redirect racing a close wins, whichever comes first`() = runBlocking<Unit> {
        val coordinator = BrowserFlowCoordinator()
        repeat(200) { i ->
            val barrier = CyclicBarrier(2)
            val browser = FakeBrowser { session ->
                thread { barrier.await(); session.onClosed() }
                thread { barrier.await(); session.onRedirect("$callback&i=$i") }
            }
            val outcome = coordinator.roundTrip("https://idp/auth", REDIRECT_URI, browser)
            assertEquals(BrowserOutcome.Redirected("$callback&i=$i"), outcome, "iteration $i")
        }
        // Close strictly first, redirect a little later (still within the grace period).
        val outcome = coordinator.roundTrip("https://idp/auth", REDIRECT_URI, FakeBrowser { session ->
            session.onClosed()
            thread { Thread.sleep(30); session.onRedirect(callback) }
        })
        assertEquals(BrowserOutcome.Redirected(callback), outcome)
    }

    @Test
    fun `a redirect after the round trip is over is refused`() = runBlocking<Unit> {
        val coordinator = BrowserFlowCoordinator(closeGracePeriodMillis = 10)
        lateinit var kept: BrowserSession
        val outcome = coordinator.roundTrip("https://idp/auth", REDIRECT_URI, FakeBrowser { kept = it; it.onClosed() })
        assertEquals(BrowserOutcome.Closed, outcome)
        assertFalse(kept.onRedirect(callback))
    }

    @Test
    fun `a launcher that cannot open a browser gives browser_unavailable`() = runBlocking<Unit> {
        val coordinator = BrowserFlowCoordinator()
        val e = assertThrowsLogto<LogtoException.BrowserUnavailable> {
            coordinator.roundTrip("https://idp/auth", REDIRECT_URI, FakeBrowser { throw IllegalStateException("no browser") })
        }
        assertEquals(PlatformErrors.BROWSER_UNAVAILABLE, e.code)
        assertTrue(e.cause is IllegalStateException)
    }

    @Test
    fun `a second concurrent flow fails with sign_in_in_progress and the first is unaffected`() = runBlocking<Unit> {
        val coordinator = BrowserFlowCoordinator(closeGracePeriodMillis = 10)
        val first = CompletableDeferred<BrowserSession>()
        val running = async(Dispatchers.Default) {
            coordinator.exclusive {
                coordinator.roundTrip("https://idp/auth", REDIRECT_URI, FakeBrowser { first.complete(it) })
            }
        }
        val session = withTimeout(5_000) { first.await() }
        assertTrue(coordinator.isBusy)
        val e = assertThrowsLogto<LogtoException.SignInInProgress> { coordinator.exclusive { "second" } }
        assertEquals(PlatformErrors.SIGN_IN_IN_PROGRESS, e.code)
        session.onRedirect(callback)
        assertEquals(BrowserOutcome.Redirected(callback), running.await())
        assertFalse(coordinator.isBusy)
        assertEquals("third", coordinator.exclusive { "third" })
    }

    // Through LogtoClient (needs the dev IdP for the authorization URL).

    @Test
    fun `closing the browser during sign-in is user_cancelled`() = runBlocking<Unit> {
        LogtoClient(DevIdp.config(), MemoryStorage(), coordinator = BrowserFlowCoordinator(50)).use { client ->
            val e = assertThrowsLogto<LogtoException.UserCancelled> {
                client.signIn(signInOptions(), FakeBrowser { it.onClosed() })
            }
            assertEquals("user_cancelled", e.code)
            assertEquals("The user cancelled the action.", e.errorMessage)
            assertFalse(client.isAuthenticated())
        }
    }

    @Test
    fun `a sign-in whose tab reports closed just before the redirect succeeds`() = runBlocking<Unit> {
        LogtoClient(DevIdp.config(), MemoryStorage()).use { client ->
            val headless = HeadlessBrowser()
            val browser = BrowserLauncher { url, redirectUri, session ->
                thread {
                    val landed = runCatching { headless.follow(url, redirectUri) }.getOrNull()
                    session.onClosed() // the "browser finished" event overtakes the redirect
                    if (landed != null) session.onRedirect(landed)
                }
            }
            client.signIn(signInOptions(), browser)
            assertTrue(client.isAuthenticated())
        }
    }

    @Test
    fun `a concurrent sign-in through the client is refused`() = runBlocking<Unit> {
        LogtoClient(DevIdp.config(), MemoryStorage()).use { client ->
            val launched = CompletableDeferred<Pair<String, BrowserSession>>()
            val first = async(Dispatchers.Default) {
                client.signIn(signInOptions(), BrowserLauncher { url, _, session -> launched.complete(url to session) })
            }
            val (url, session) = withTimeout(10_000) { launched.await() }
            val e = assertThrowsLogto<LogtoException.SignInInProgress> { client.signIn(signInOptions(), HeadlessBrowser()) }
            assertEquals("sign_in_in_progress", e.code)
            assertEquals("A sign-in is already in progress.", e.errorMessage)
            // The first sign-in's pending state was not replaced: it still completes.
            session.onRedirect(HeadlessBrowser().follow(url, REDIRECT_URI)!!)
            first.await()
            assertTrue(client.isAuthenticated())
        }
    }
}
