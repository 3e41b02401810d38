package dev.logtocore.android

import android.content.Context
import android.content.Intent
import androidx.browser.customtabs.CustomTabsIntent
import dev.logtocore.DevIdp
import dev.logtocore.HeadlessBrowser
import dev.logtocore.LogtoClient
import dev.logtocore.REDIRECT_URI
import dev.logtocore.ffi.LogtoException
import dev.logtocore.signInOptions
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.android.controller.ActivityController

/**
 * Sign-in end to end on the Android framework: [LogtoAndroid.client] (the real [KeystoreStorage], over the
 * [FakeAndroidKeyStore] provider) and [signIn] with Custom Tabs, through the Kotlin layer and the host-built Rust
 * library (JNA), against the dev IdP. The browser is the captured Custom Tabs intent: its URL is followed headlessly
 * ([HeadlessBrowser], `dev_login=alice` signs in without a form) and the redirect is delivered to
 * [LogtoRedirectActivity] as the browser would.
 */
@RunWith(RobolectricTestRunner::class)
class SignInIdpTest {
    private val app get() = RuntimeEnvironment.getApplication()
    private lateinit var client: LogtoClient

    @Before
    fun setUp() {
        FakeAndroidKeyStore.install()
        installBrowser()
        hostTrustStore()
        client = LogtoAndroid.client(app, DevIdp.config())
    }

    @After
    fun tearDown() {
        client.close()
        RoundTrips.clear()
        CustomTabsWarmup.reset()
    }

    /** Starts `signIn` on the main thread (as an app's lifecycleScope would). */
    private fun startSignIn(user: String = "alice"): Deferred<Unit> =
        CoroutineScope(Dispatchers.Main).async { client.signIn(app, signInOptions(user)) }

    /** Waits for the auth activity, resumes it and returns it with the URL of the Custom Tab it opened. */
    private fun openTab(): Pair<ActivityController<LogtoAuthActivity>, String> {
        pumpUntil { org.robolectric.Shadows.shadowOf(app).peekNextStartedActivity() != null }
        val auth = Robolectric.buildActivity(LogtoAuthActivity::class.java, nextStartedActivity()).setup()
        val tab = nextStartedActivity()
        assertEquals(Intent.ACTION_VIEW, tab.action)
        assertTrue(tab.hasExtra(CustomTabsIntent.EXTRA_SESSION))
        auth.pause().stop()
        return auth to tab.dataString!!
    }

    private fun deliver(auth: ActivityController<LogtoAuthActivity>, url: String) {
        Robolectric.buildActivity(LogtoRedirectActivity::class.java, redirectIntent(url)).setup()
        auth.newIntent(nextStartedActivity()).restart().resume()
    }

    private fun <T> await(result: Deferred<T>): Result<T> {
        pumpUntil(60_000) { result.isCompleted }
        return runBlocking { runCatching { result.await() } }
    }

    @Test
    fun signsInThroughTheCustomTabAndStoresTheSessionSealed() {
        val result = startSignIn()
        val (auth, url) = openTab()
        assertTrue(url.startsWith(DevIdp.endpoint))
        val landed = HeadlessBrowser().follow(url, REDIRECT_URI)!!
        deliver(auth, landed)
        await(result).getOrThrow()
        runBlocking {
            assertTrue(client.isAuthenticated())
            assertEquals("user_alice", client.getIdTokenClaims().sub)
        }
        val prefs = app.getSharedPreferences("dev.logtocore.${DevIdp.config().appId}", Context.MODE_PRIVATE)
        val refreshToken = runBlocking { client.getRefreshToken() }!!
        assertTrue("the session is stored", prefs.all.isNotEmpty())
        assertFalse("tokens are not stored in the clear", prefs.all.values.any { it.toString().contains(refreshToken) })
        assertEquals(1, FakeAndroidKeyStore.generated.get())
        // A new client (the app restarted) reads the sealed session back.
        LogtoAndroid.client(app, DevIdp.config()).use { restarted ->
            assertEquals(refreshToken, runBlocking { restarted.getRefreshToken() })
        }
    }

    /**
     * The user leaves the tab and comes back through the launcher icon (singleTask main activity): the auth activity
     * is finished without resuming. `signIn` fails with `user_cancelled` at once, and the next sign-in works instead
     * of failing with `sign_in_in_progress`.
     */
    @Test
    fun launcherIconReturnCancelsAndTheRetrySignsIn() {
        val first = startSignIn()
        val (abandoned, _) = openTab()
        abandoned.get().finish()
        abandoned.destroy()
        val failure = await(first).exceptionOrNull()
        assertTrue("user_cancelled, got $failure", failure is LogtoException.UserCancelled)

        val retry = startSignIn()
        val (auth, url) = openTab()
        deliver(auth, HeadlessBrowser().follow(url, REDIRECT_URI)!!)
        await(retry).getOrThrow()
        assertTrue(runBlocking { client.isAuthenticated() })
    }

    @Test
    fun closingTheTabIsUserCancelled() {
        val result = startSignIn()
        val (auth, _) = openTab()
        auth.restart().resume()
        assertTrue(await(result).exceptionOrNull() is LogtoException.UserCancelled)
        assertFalse(runBlocking { client.isAuthenticated() })
    }
}
