package dev.logtocore.capacitor

import dev.logtocore.BrowserLauncher
import dev.logtocore.HeadlessBrowser
import dev.logtocore.POST_LOGOUT_URI
import dev.logtocore.REDIRECT_URI
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import kotlin.concurrent.thread

/**
 * How every `signIn` / `signOut` settles (the semantics `@logto/capacitor` gets wrong): cancel, timeout, a
 * concurrent sign-in, a redirect racing the "tab closed" event, and redirects handed over by the app.
 */
class BrowserFlowIdpTest {
    private suspend fun signedIn(platform: FakePlatform, timeoutMs: Long? = null): LogtoNativeImplementation {
        val implementation = LogtoNativeImplementation(platform)
        implementation.configure(configureRequest(timeoutMs = timeoutMs))
        implementation.signIn(signInRequest("alice"))
        return implementation
    }

    @Test
    fun `closing the browser is user_cancelled and keeps the previous session`() = runBlocking<Unit> {
        val platform = FakePlatform()
        val implementation = signedIn(platform)
        val idToken = implementation.getIdToken()
        platform.browser = BrowserLauncher { _, _, session -> session.onClosed() }

        val e = expectBridgeError("user_cancelled") { implementation.signIn(signInRequest("bob")) }

        assertEquals("The user cancelled the action.", e.message)
        assertTrue(implementation.isAuthenticated())
        assertEquals(idToken, implementation.getIdToken(), "a cancelled sign-in does not touch the session")
        assertNull(platform.disk.pendingSignIn)
        implementation.close()
    }

    @Test
    fun `a timeout dismisses the browser and rejects with timeout, then the next sign-in works`() = runBlocking<Unit> {
        val platform = FakePlatform()
        val implementation = LogtoNativeImplementation(platform)
        implementation.configure(configureRequest(timeoutMs = 300))
        val silent = ManualBrowser() // never reports anything, like a Custom Tab left open
        platform.browser = silent
        var dismissedWhileOpen = false
        platform.onDismiss = { dismissedWhileOpen = silent.launched.isCompleted }

        val started = System.nanoTime()
        val e = expectBridgeError("timeout") { implementation.signIn(signInRequest()) }
        val elapsedMs = (System.nanoTime() - started) / 1_000_000

        assertEquals("The sign-in timed out.", e.message)
        assertTrue(elapsedMs in 300..5_000, "settled after $elapsedMs ms")
        assertEquals(1, platform.dismissals.get())
        assertTrue(dismissedWhileOpen)
        assertNull(platform.disk.pendingSignIn)
        // A redirect that comes after the timeout is not used.
        val (_, session) = silent.await()
        assertFalse(session.onRedirect("$REDIRECT_URI?code=late&state=late"))

        platform.browser = HeadlessBrowser()
        implementation.signIn(signInRequest())
        assertTrue(implementation.isAuthenticated())
        assertEquals(1, platform.dismissals.get(), "a sign-in that ends in time is not dismissed")
        implementation.close()
    }

    @Test
    fun `a sign-out that runs out of time rejects with timeout after the local sign-out`() = runBlocking<Unit> {
        val platform = FakePlatform()
        val implementation = signedIn(platform, timeoutMs = 300)
        platform.browser = ManualBrowser()
        expectBridgeError("timeout") { implementation.signOut(POST_LOGOUT_URI) }
        assertEquals(1, platform.dismissals.get())
        assertFalse(implementation.isAuthenticated())
        implementation.close()
    }

    @Test
    fun `a concurrent sign-in is refused with sign_in_in_progress and the first one completes`() = runBlocking<Unit> {
        val platform = FakePlatform()
        val implementation = LogtoNativeImplementation(platform)
        implementation.configure(configureRequest())
        val first = ManualBrowser()
        platform.browser = first
        val running = async(Dispatchers.Default) { implementation.signIn(signInRequest("alice")) }
        val (url, _) = first.await()
        val marker = platform.disk.pendingSignIn

        platform.browser = HeadlessBrowser()
        val e = expectBridgeError("sign_in_in_progress") { implementation.signIn(signInRequest("bob")) }
        assertEquals("A sign-in is already in progress.", e.message)
        expectBridgeError("sign_in_in_progress") { implementation.signOut(POST_LOGOUT_URI) }
        assertEquals(marker, platform.disk.pendingSignIn, "the refused sign-in did not touch the first one's marker")

        // The redirect reaches the app's activity (handleOnNewIntent) and ends the first sign-in.
        val callback = HeadlessBrowser().follow(url, REDIRECT_URI)!!
        assertTrue(implementation.onRedirect(callback))
        running.await()
        assertEquals("user_alice", implementation.getIdTokenClaims().getString("sub"))
        implementation.close()
    }

    @Test
    fun `a redirect reported just after the tab-closed event still signs in (no false user_cancelled)`() =
        runBlocking<Unit> {
            val platform = FakePlatform()
            val implementation = LogtoNativeImplementation(platform)
            implementation.configure(configureRequest())
            repeat(5) {
                implementation.clearAllTokens()
                platform.browser = BrowserLauncher { url, redirectUri, session ->
                    thread {
                        val landed = HeadlessBrowser().follow(url, redirectUri)!!
                        session.onClosed() // the activity resumed first...
                        Thread.sleep(50)
                        session.onRedirect(landed) // ...then the redirect arrives
                    }
                }
                implementation.signIn(signInRequest())
                assertTrue(implementation.isAuthenticated(), "round $it")
            }
            implementation.close()
        }

    @Test
    fun `handleSignInCallback hands the redirect to the open sign-in and settles like it`() = runBlocking<Unit> {
        val platform = FakePlatform()
        val implementation = LogtoNativeImplementation(platform)
        implementation.configure(configureRequest())
        val browser = ManualBrowser()
        platform.browser = browser
        val running = async(Dispatchers.Default) { implementation.signIn(signInRequest()) }
        val (url, _) = browser.await()
        val callback = HeadlessBrowser().follow(url, REDIRECT_URI)!!

        implementation.handleSignInCallback(callback)

        running.await()
        assertTrue(implementation.isAuthenticated())
        implementation.close()
    }

    @Test
    fun `no browser is browser_unavailable`() = runBlocking<Unit> {
        val platform = FakePlatform()
        val implementation = LogtoNativeImplementation(platform)
        implementation.configure(configureRequest())
        platform.browser = NoBrowser()
        expectBridgeError("browser_unavailable") { implementation.signIn(signInRequest()) }
        assertNull(platform.disk.pendingSignIn)
        platform.browser = HeadlessBrowser()
        implementation.signIn(signInRequest())
        assertTrue(implementation.isAuthenticated())
        implementation.close()
    }

    @Test
    fun `sign-in options reach the authorization URL`() = runBlocking<Unit> {
        val platform = FakePlatform()
        val implementation = LogtoNativeImplementation(platform)
        implementation.configure(configureRequest())
        val browser = ManualBrowser()
        platform.browser = browser
        val running = async(Dispatchers.Default) {
            runCatching {
                implementation.signIn(
                    BridgeRequests.signIn(
                    org.json.JSONObject(
                        """{"redirectUri":"$REDIRECT_URI","prompt":["login"],"firstScreen":"signIn",
                           "identifiers":["email","username"],"loginHint":"alice@example.com",
                           "directSignIn":{"method":"social","target":"github"},"extraParams":{"b":"1","a":"2"}}""",
                    ),
                    ),
                )
            }.exceptionOrNull()
        }
        val (url, session) = browser.await()
        session.onClosed()
        expectBridgeError("user_cancelled") { running.await()?.let { throw it } }
        val query = java.net.URI(url).rawQuery.split('&').associate {
            it.substringBefore('=') to java.net.URLDecoder.decode(it.substringAfter('='), Charsets.UTF_8)
        }
        assertEquals("login", query["prompt"])
        assertEquals("sign_in", query["first_screen"])
        assertEquals("email username", query["identifier"])
        assertEquals("alice@example.com", query["login_hint"])
        assertEquals("social:github", query["direct_sign_in"])
        assertEquals("1", query["b"])
        assertEquals("2", query["a"])
        assertEquals(REDIRECT_URI, query["redirect_uri"])
        implementation.close()
    }
}
