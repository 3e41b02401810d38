package dev.logtocore.android

import android.content.Intent
import android.net.Uri
import androidx.browser.customtabs.CustomTabsIntent
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf

/**
 * The Custom Tabs warm-up: the browser's service is bound, `warmup` called, `mayLaunchUrl` told the authorization
 * URL, and the tab opened with that session (so the warmed tab is the one shown). The service is the in-process
 * [FakeCustomTabsService] that Robolectric hands to `bindService`.
 */
@RunWith(RobolectricTestRunner::class)
class CustomTabsWarmupTest {
    private val app get() = RuntimeEnvironment.getApplication()
    private val url = "https://logto.example/oidc/auth?client_id=app&state=w1"

    @After
    fun tearDown() {
        RoundTrips.clear()
        CustomTabsWarmup.reset()
    }

    @Test
    fun warmUpBindsTheBrowsersServiceAndWarmsItUp() {
        val service = installBrowser()!!
        LogtoAndroid.warmUp(app)
        pumpUntil { service.sessions.get() == 1 }
        val bound = shadowOf(app).nextStartedService // Robolectric records bindService intents here too
        assertEquals("android.support.customtabs.action.CustomTabsService", bound.action)
        assertEquals(BROWSER_PACKAGE, bound.`package`)
        assertEquals(1, service.warmups.get())
        LogtoAndroid.warmUp(app)
        pumpUntil { true }
        assertEquals("bound once", 1, service.warmups.get())
    }

    @Test
    fun signInTellsTheBrowserTheAuthorizationUrlAndOpensTheWarmedSession() {
        val service = installBrowser()!!
        LogtoAndroid.warmUp(app)
        pumpUntil { service.sessions.get() == 1 }
        CustomTabsBrowserLauncher(app).launch(url, "com.example.app://callback", RecordingSession())
        assertEquals(listOf(Uri.parse(url)), service.mayLaunchUrls)
        Robolectric.buildActivity(LogtoAuthActivity::class.java, nextStartedActivity()).setup()
        val tab = nextStartedActivity()
        assertEquals(Uri.parse(url), tab.data)
        assertNotNull("the tab uses the warmed-up session", tab.extras?.getBinder(CustomTabsIntent.EXTRA_SESSION))
    }

    @Test
    fun launchWithoutEarlierWarmUpWarmsUpAndTellsTheUrlOnceConnected() {
        val service = installBrowser()!!
        CustomTabsBrowserLauncher(app).launch(url, "com.example.app://callback", RecordingSession())
        pumpUntil { service.mayLaunchUrls.isNotEmpty() }
        assertEquals(1, service.warmups.get())
        assertEquals(listOf(Uri.parse(url)), service.mayLaunchUrls)
        assertTrue(nextStartedActivity().component?.className == LogtoAuthActivity::class.java.name)
    }

    @Test
    fun browserWithoutCustomTabsStillOpens() {
        installBrowser(customTabs = false)
        CustomTabsBrowserLauncher(app).launch(url, "com.example.app://callback", RecordingSession())
        Robolectric.buildActivity(LogtoAuthActivity::class.java, nextStartedActivity()).setup()
        val tab = nextStartedActivity()
        assertEquals(Intent.ACTION_VIEW, tab.action)
        assertEquals(Uri.parse(url), tab.data)
    }
}
