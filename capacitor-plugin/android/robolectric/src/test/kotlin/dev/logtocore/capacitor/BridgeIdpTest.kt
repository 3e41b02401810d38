package dev.logtocore.capacitor

import android.content.Intent
import android.content.pm.PackageInfo
import android.os.Bundle
import dev.logtocore.API_RESOURCE
import dev.logtocore.APP_ID
import dev.logtocore.DevIdp
import dev.logtocore.HeadlessBrowser
import dev.logtocore.POST_LOGOUT_URI
import dev.logtocore.REDIRECT_URI
import dev.logtocore.android.FakeAndroidKeyStore
import dev.logtocore.android.LogtoAuthActivity
import dev.logtocore.android.LogtoRedirectActivity
import dev.logtocore.android.hostTrustStore
import dev.logtocore.android.installBrowser
import dev.logtocore.android.pumpUntil
import dev.logtocore.android.redirectIntent
import dev.logtocore.capacitor.testapp.MainActivity
import org.json.JSONArray
import org.json.JSONObject
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.android.controller.ActivityController
import org.robolectric.annotation.Config
import org.robolectric.shadows.ShadowWebView

/**
 * The plugin inside a real Capacitor app: [MainActivity] is a `BridgeActivity` (singleTask, as generated), which
 * loads the plugin from capacitor.plugins.json like every Capacitor app. Calls go in through Capacitor's
 * MessageHandler as JavaScript sends them and results are read from what the bridge evaluates in the WebView
 * ([CapacitorJs]). Sign-in runs through logto-android (Custom Tabs intent, redirect activity, Keystore storage over
 * [FakeAndroidKeyStore]), the Kotlin layer and the host-built Rust library against the dev IdP; the browser is the
 * captured Custom Tabs intent, followed headlessly.
 */
@RunWith(RobolectricTestRunner::class)
@Config(shadows = [RecordingWebViewShadow::class])
class BridgeIdpTest {
    private val app get() = RuntimeEnvironment.getApplication()
    private val opened = mutableListOf<ActivityController<*>>()

    @Before
    fun setUp() {
        FakeAndroidKeyStore.install()
        installBrowser()
        hostTrustStore()
        // The device's WebView provider (Capacitor checks its version before loading the app).
        ShadowWebView.setCurrentWebViewPackage(
            PackageInfo().apply {
                packageName = "com.google.android.webview"
                versionName = "140.0.7339.207"
            },
        )
        RecordingWebViewShadow.evaluated.clear()
    }

    @After
    fun tearDown() {
        // The app is finishing: the plugin releases the process-level implementation.
        opened.asReversed().forEach { controller ->
            runCatching {
                controller.get().finish()
                controller.pause().stop().destroy()
            }
        }
    }

    private fun launchApp(saved: Bundle? = null): ActivityController<MainActivity> {
        val intent = Intent(Intent.ACTION_MAIN).addCategory(Intent.CATEGORY_LAUNCHER).setClass(app, MainActivity::class.java)
        val controller = Robolectric.buildActivity(MainActivity::class.java, intent)
        if (saved == null) controller.setup() else controller.setup(saved)
        opened += controller
        return controller
    }

    private fun configure(js: CapacitorJs) = js.ok(
        "configure",
        JSONObject().put(
            "config",
            JSONObject().put("endpoint", DevIdp.endpoint).put("appId", APP_ID).put("resources", JSONArray().put(API_RESOURCE)),
        ),
    )

    private fun signInOptions(user: String = "alice") =
        JSONObject().put("redirectUri", REDIRECT_URI).put("extraParams", JSONObject().put("dev_login", user))

    /** Waits for the auth activity the plugin started, resumes it and returns it with the Custom Tab's URL. */
    private fun openTab(): Pair<ActivityController<LogtoAuthActivity>, String> {
        pumpUntil { shadowOf(app).peekNextStartedActivity()?.component?.className == LogtoAuthActivity::class.java.name }
        val auth = Robolectric.buildActivity(LogtoAuthActivity::class.java, shadowOf(app).nextStartedActivity).setup()
        val tab = shadowOf(app).nextStartedActivity
        assertEquals(Intent.ACTION_VIEW, tab.action)
        auth.pause().stop()
        return auth to tab.dataString!!
    }

    /** The browser reaches [url]: the redirect activity forwards it to the auth activity, which finishes. */
    private fun deliver(auth: ActivityController<LogtoAuthActivity>, url: String) {
        Robolectric.buildActivity(LogtoRedirectActivity::class.java, redirectIntent(url)).setup()
        auth.newIntent(shadowOf(app).nextStartedActivity).restart().resume()
        assertTrue(auth.get().isFinishing)
    }

    private fun errorCode(result: JSONObject): String {
        assertFalse("expected a rejection: $result", result.getBoolean("success"))
        return result.getJSONObject("error").getString("code")
    }

    @Test
    fun signsInReadsTokensAndSignsOut() {
        val main = launchApp()
        val js = CapacitorJs(main.get())
        assertEquals("invalid_config", errorCode(js.call("isAuthenticated")))
        configure(js)
        val events = js.post("addListener", JSONObject().put("eventName", "authStateChange"))
        val browser = HeadlessBrowser() // one cookie jar: the end-session page needs the sign-in's session
        val oidc = js.ok("getOidcConfig").getJSONObject("value")
        assertEquals("${DevIdp.endpoint}/oidc/token", oidc.getString("tokenEndpoint"))
        assertTrue(oidc.has("jwksUri") && !oidc.has("token_endpoint"))
        val redirected = { url: String -> js.ok("isSignInRedirected", JSONObject().put("url", url)).get("value") }
        assertEquals("no sign-in pending", false, redirected("$REDIRECT_URI?code=x"))
        val signIn = js.post("signIn", signInOptions())
        val (auth, url) = openTab()
        assertEquals(true, redirected("$REDIRECT_URI?code=x&state=y"))
        assertEquals(false, redirected("com.example.other://callback?code=x"))
        main.pause().stop()
        deliver(auth, browser.follow(url, REDIRECT_URI)!!)
        main.restart().resume()
        assertTrue(js.await(signIn).getBoolean("success"))

        assertEquals(true, js.ok("isAuthenticated").get("value"))
        assertEquals("user_alice", js.ok("getIdTokenClaims").getJSONObject("value").getString("sub"))
        val token = js.ok("getAccessToken", JSONObject().put("resource", API_RESOURCE)).getString("value")
        assertEquals(3, token.split('.').size)
        pumpUntil { js.results(events).isNotEmpty() }
        assertEquals("signedIn", js.results(events).first().getJSONObject("data").getString("type"))
        assertEquals("a listener call stays open", true, js.results(events).first().getBoolean("save"))

        val signOut = js.post("signOut", JSONObject().put("postLogoutRedirectUri", POST_LOGOUT_URI))
        val (endSession, endUrl) = openTab()
        deliver(endSession, browser.follow(endUrl, POST_LOGOUT_URI)!!)
        assertTrue(js.await(signOut).getBoolean("success"))
        assertEquals(false, js.ok("isAuthenticated").get("value"))
        val types = { js.results(events).map { it.getJSONObject("data").getString("type") } }
        pumpUntil { types().lastOrNull() == "signedOut" }
        assertEquals("signedIn", types().first())
        assertTrue(types().toString(), types().drop(1).dropLast(1).all { it == "tokensRefreshed" })
    }

    /**
     * The user leaves the tab and comes back through the launcher icon of the singleTask main activity: Android
     * finishes the auth activity without resuming it. `signIn` rejects with `user_cancelled` (not after
     * `signInTimeoutMs`), and the retry signs in instead of failing with `sign_in_in_progress`.
     */
    @Test
    fun launcherIconReturnRejectsUserCancelledAndTheRetrySignsIn() {
        val main = launchApp()
        val js = CapacitorJs(main.get())
        configure(js)
        val first = js.post("signIn", signInOptions())
        val (abandoned, _) = openTab()
        abandoned.get().finish()
        abandoned.destroy()
        assertEquals("user_cancelled", errorCode(js.await(first)))

        val retry = js.post("signIn", signInOptions())
        val (auth, url) = openTab()
        deliver(auth, HeadlessBrowser().follow(url, REDIRECT_URI)!!)
        assertTrue(js.await(retry).getBoolean("success"))
        assertEquals(true, js.ok("isAuthenticated").get("value"))
    }

    /**
     * The main activity is destroyed while the tab is open without the app finishing ("Don't keep activities", a
     * configuration change): the tab is not dismissed and the sign-in is not cancelled; the plugin of the recreated
     * activity re-attaches to the round trip, which completes, and the new page sees the session.
     */
    @Test
    fun mainActivityDestroyedDuringSignInKeepsTheRoundTrip() {
        val main = launchApp()
        val js = CapacitorJs(main.get())
        configure(js)
        js.post("signIn", signInOptions())
        val (auth, url) = openTab()
        val saved = Bundle()
        main.pause().stop().saveInstanceState(saved).destroy()
        opened -= main
        assertNull("the tab was not dismissed", shadowOf(app).peekNextStartedActivity())

        deliver(auth, HeadlessBrowser().follow(url, REDIRECT_URI)!!)
        val recreated = launchApp(saved)
        val page = CapacitorJs(recreated.get())
        configure(page)
        pumpUntil { page.ok("isAuthenticated").get("value") == true }
        assertEquals("user_alice", page.ok("getIdTokenClaims").getJSONObject("value").getString("sub"))
    }

    /**
     * `signInTimeoutMs` runs out while the tab is open: the plugin dismisses the tab (the auth activity is brought
     * back over it with CLEAR_TOP), which ends the round trip, and `signIn` rejects with `timeout`.
     */
    @Test
    fun signInTimeoutDismissesTheTabAndRejectsTimeout() {
        val main = launchApp()
        val js = CapacitorJs(main.get())
        js.ok(
            "configure",
            JSONObject()
                .put("config", JSONObject().put("endpoint", DevIdp.endpoint).put("appId", APP_ID))
                .put("options", JSONObject().put("signInTimeoutMs", 1500)),
        )
        val signIn = js.post("signIn", signInOptions())
        val (auth, _) = openTab()
        pumpUntil { shadowOf(app).peekNextStartedActivity()?.component?.className == LogtoAuthActivity::class.java.name }
        val dismiss = shadowOf(app).nextStartedActivity
        assertTrue(dismiss.flags and Intent.FLAG_ACTIVITY_CLEAR_TOP != 0)
        auth.newIntent(dismiss).restart().resume()
        assertTrue(auth.get().isFinishing)
        assertEquals("timeout", errorCode(js.await(signIn)))
        assertEquals(false, js.ok("isAuthenticated").get("value"))
    }

    /** The app really finishes: the open tab is dismissed and the round trip ends; a new start begins afresh. */
    @Test
    fun finishingAppTearsDown() {
        val main = launchApp()
        val js = CapacitorJs(main.get())
        configure(js)
        val signIn = js.post("signIn", signInOptions())
        openTab()
        main.get().finish()
        main.pause().stop().destroy()
        opened -= main
        val dismiss = shadowOf(app).nextStartedActivity
        assertEquals("the tab is dismissed", LogtoAuthActivity::class.java.name, dismiss?.component?.className)
        assertTrue(dismiss!!.flags and Intent.FLAG_ACTIVITY_CLEAR_TOP != 0)
        assertTrue("no result reaches the finished page", js.results(signIn).all { !it.getBoolean("success") })

        val next = CapacitorJs(launchApp().get())
        assertEquals("invalid_config", errorCode(next.call("isAuthenticated")))
    }
}
