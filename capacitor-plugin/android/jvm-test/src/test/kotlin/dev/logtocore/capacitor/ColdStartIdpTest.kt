package dev.logtocore.capacitor

import dev.logtocore.HeadlessBrowser
import dev.logtocore.POST_LOGOUT_URI
import dev.logtocore.REDIRECT_URI
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * The app's process is killed while the Custom Tab is open; the redirect then starts a new process. The first
 * "process" is an implementation whose sign-in is left suspended forever (a killed process runs no `finally`); the
 * second is a new implementation on the same [Disk] (storage + marker), i.e. what survives on the device.
 */
class ColdStartIdpTest {
    private val abandoned = CoroutineScope(Dispatchers.Default + Job())

    @AfterEach
    fun cleanUp() = abandoned.cancel()

    /** Process 1: starts a sign-in and "dies" with the browser open. Returns the redirect the browser then reaches. */
    private suspend fun signInThenDie(disk: Disk, user: String = "alice", timeoutMs: Long? = null): String {
        val platform = FakePlatform(disk)
        val browser = ManualBrowser()
        platform.browser = browser
        val first = LogtoNativeImplementation(platform)
        first.configure(configureRequest(timeoutMs = timeoutMs))
        abandoned.launch { first.signIn(signInRequest(user)) }
        val (url, _) = browser.await()
        assertNotNull(disk.pendingSignIn, "the marker is written before the browser opens")
        return HeadlessBrowser().follow(url, REDIRECT_URI)!!
    }

    @Test
    fun `the launch intent's redirect completes the sign-in once configured`() = runBlocking<Unit> {
        val disk = Disk()
        val callback = signInThenDie(disk)

        val platform = FakePlatform(disk)
        val second = LogtoNativeImplementation(platform)
        val log = EventLog()
        second.setAuthStateListener(log)
        assertTrue(second.onRedirect(callback), "plugin load(): the launch intent's URL is the pending redirect")
        second.configure(configureRequest())

        assertTrue(second.isAuthenticated())
        assertEquals("user_alice", second.getIdTokenClaims().getString("sub"))
        assertEquals(listOf(AuthStateChangeType.SIGNED_IN), log.awaitAtLeast(1))
        assertNull(disk.pendingSignIn)
        // The app may also hand the same URL over itself (e.g. from appUrlOpen): it resolves, once.
        second.handleSignInCallback(callback)
        expectBridgeError("sign_in_session.not_found") { second.handleSignInCallback(callback) }
        second.close()
    }

    @Test
    fun `a redirect kept by the redirect activity completes the sign-in at configure or on resume`() =
        runBlocking<Unit> {
            // At configure: LogtoRedirectActivity ran before the plugin was configured.
            val disk = Disk()
            val callback = signInThenDie(disk)
            val platform = FakePlatform(disk)
            platform.unhandledRedirects += callback
            val second = LogtoNativeImplementation(platform)
            second.configure(configureRequest())
            assertTrue(second.isAuthenticated())
            second.close()

            // On resume: the redirect arrives after configure.
            val disk2 = Disk()
            val callback2 = signInThenDie(disk2, user = "bob")
            val platform2 = FakePlatform(disk2)
            val third = LogtoNativeImplementation(platform2)
            val log = EventLog()
            third.setAuthStateListener(log)
            third.configure(configureRequest())
            assertFalse(third.isAuthenticated())
            platform2.unhandledRedirects += callback2
            third.onHostResume()
            assertEquals(listOf(AuthStateChangeType.SIGNED_IN), log.awaitAtLeast(1))
            assertEquals("user_bob", third.getIdTokenClaims().getString("sub"))
            third.close()
        }

    @Test
    fun `a redirect through the activity after configure completes the sign-in`() = runBlocking<Unit> {
        val disk = Disk()
        val callback = signInThenDie(disk)
        val second = LogtoNativeImplementation(FakePlatform(disk))
        val log = EventLog()
        second.setAuthStateListener(log)
        second.configure(configureRequest())
        assertTrue(second.onRedirect(callback)) // handleOnNewIntent
        assertEquals(listOf(AuthStateChangeType.SIGNED_IN), log.awaitAtLeast(1))
        assertTrue(second.isAuthenticated())
        second.close()
    }

    @Test
    fun `stale markers, other apps and other URLs are not completed`() = runBlocking<Unit> {
        // Older than the sign-in timeout: dropped.
        val disk = Disk()
        val callback = signInThenDie(disk, timeoutMs = 60_000)
        val platform = FakePlatform(disk)
        platform.now = System.currentTimeMillis() + 61_000
        val late = LogtoNativeImplementation(platform)
        assertTrue(late.onRedirect(callback))
        late.configure(configureRequest(timeoutMs = 60_000))
        assertFalse(late.isAuthenticated())
        assertNull(disk.pendingSignIn)
        late.close()

        // Another app id: left alone.
        val disk2 = Disk()
        val callback2 = signInThenDie(disk2)
        val other = LogtoNativeImplementation(FakePlatform(disk2))
        assertTrue(other.onRedirect(callback2))
        other.configure(configureRequest(appId = "another-app"))
        assertFalse(other.isAuthenticated())
        assertNotNull(disk2.pendingSignIn)
        other.close()

        // A URL that is not the pending sign-in's redirect (the sign-out redirect, another deep link): not taken.
        val third = LogtoNativeImplementation(FakePlatform(disk2))
        assertFalse(third.onRedirect("$POST_LOGOUT_URI?state=x"))
        assertFalse(third.onRedirect("com.example.app://somewhere?code=x"))
        assertFalse(LogtoNativeImplementation(FakePlatform(Disk())).onRedirect(callback2), "no marker, no cold start")
        third.close()
    }

    @Test
    fun `a failed cold-start callback is reported to a later handleSignInCallback`() = runBlocking<Unit> {
        val disk = Disk()
        signInThenDie(disk)
        val second = LogtoNativeImplementation(FakePlatform(disk))
        val iss = java.net.URLEncoder.encode("${dev.logtocore.DevIdp.endpoint}/oidc", Charsets.UTF_8)
        val forged = "$REDIRECT_URI?code=forged&state=not-the-state&iss=$iss"
        assertTrue(second.onRedirect(forged))
        second.configure(configureRequest())
        assertFalse(second.isAuthenticated())
        expectBridgeError("callback_uri_verification.state_mismatched") { second.handleSignInCallback(forged) }
        second.close()
    }
}
