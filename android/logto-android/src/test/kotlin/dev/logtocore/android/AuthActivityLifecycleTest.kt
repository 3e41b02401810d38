package dev.logtocore.android

import android.content.Intent
import android.os.Bundle
import androidx.browser.customtabs.CustomTabsIntent
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
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

/**
 * The invisible activity that owns a browser round trip, driven through the lifecycles Android puts it through:
 * the tab opened on the first resume, the redirect through [LogtoRedirectActivity], the user closing the tab,
 * configuration changes, the launcher icon of a `singleTask` main activity, and a stale instance of an earlier round
 * trip.
 */
@RunWith(RobolectricTestRunner::class)
class AuthActivityLifecycleTest {
    private val app get() = RuntimeEnvironment.getApplication()
    private val url = "https://logto.example/oidc/auth?client_id=app&state=s1"

    @Before
    fun setUp() {
        installBrowser()
    }

    @After
    fun tearDown() {
        RoundTrips.clear() // a round trip a failed test left behind
        CustomTabsWarmup.reset()
        LogtoRedirects.take()
    }

    /** Launches a round trip and returns the started (not yet created) auth activity's intent. */
    private fun launch(session: RecordingSession, target: String = url): Intent {
        CustomTabsBrowserLauncher(app).launch(target, "com.example.app://callback", session)
        val intent = nextStartedActivity()
        assertEquals(LogtoAuthActivity::class.java.name, intent.component?.className)
        return intent
    }

    /** Creates and resumes the auth activity for [intent]: it opens the Custom Tab. */
    private fun open(intent: Intent): ActivityController<LogtoAuthActivity> {
        val controller = Robolectric.buildActivity(LogtoAuthActivity::class.java, intent).setup()
        val tab = nextStartedActivity()
        assertEquals(Intent.ACTION_VIEW, tab.action)
        assertTrue("a Custom Tabs intent", tab.hasExtra(CustomTabsIntent.EXTRA_SESSION))
        controller.pause().stop() // the tab covers it
        return controller
    }

    /** The browser reached the redirect URI: the exported redirect activity forwards it to the auth activity. */
    private fun redirect(controller: ActivityController<LogtoAuthActivity>, to: String) {
        val receiver = Robolectric.buildActivity(LogtoRedirectActivity::class.java, redirectIntent(to)).setup()
        assertTrue(receiver.get().isFinishing)
        val forward = nextStartedActivity()
        assertEquals(LogtoAuthActivity::class.java.name, forward.component?.className)
        assertTrue(forward.flags and Intent.FLAG_ACTIVITY_CLEAR_TOP != 0)
        assertTrue(forward.flags and Intent.FLAG_ACTIVITY_SINGLE_TOP != 0)
        controller.newIntent(forward) // CLEAR_TOP | SINGLE_TOP: onNewIntent before the next onResume
        controller.restart().resume()
    }

    @Test
    fun opensTheCustomTabAndDeliversTheRedirect() {
        val session = RecordingSession()
        val controller = open(launch(session))
        redirect(controller, "com.example.app://callback?code=c1&state=s1")
        assertEquals(listOf("com.example.app://callback?code=c1&state=s1"), session.redirects)
        assertEquals(0, session.closes.get())
        assertTrue(controller.get().isFinishing)
    }

    @Test
    fun closingTheTabReportsClosed() {
        val session = RecordingSession()
        val controller = open(launch(session))
        controller.restart().resume() // back from the tab without a redirect
        assertEquals(1, session.closes.get())
        assertTrue(session.redirects.isEmpty())
        assertTrue(controller.get().isFinishing)
    }

    @Test
    fun noBrowserMeansBrowserUnavailable() {
        shadowOf(app.packageManager).removePackage(BROWSER_PACKAGE)
        val failure = runCatching {
            CustomTabsBrowserLauncher(app).launch(url, "com.example.app://callback", RecordingSession())
        }.exceptionOrNull()
        assertNotNull("launch throws when nothing can open the URL", failure)
        assertNull("no activity was started", shadowOf(app).nextStartedActivity)
    }

    /**
     * The user leaves the tab (to read an email code) and comes back through the launcher icon: the main activity is
     * `singleTask` (Capacitor's default), so Android finishes everything above it, the auth activity included, without
     * resuming it. The round trip must end as closed (`user_cancelled`), not wait forever.
     */
    @Test
    fun launcherIconReturnFinishingTheAuthActivityReportsClosed() {
        val session = RecordingSession()
        val controller = open(launch(session))
        controller.get().finish() // what the singleTask clear-top does to the activities above the main one
        controller.destroy()
        assertEquals(1, session.closes.get())
        // and the next sign-in is not refused or disturbed
        val next = RecordingSession()
        val second = open(launch(next))
        redirect(second, "com.example.app://callback?code=c2")
        assertEquals(listOf("com.example.app://callback?code=c2"), next.redirects)
        assertEquals(0, next.closes.get())
    }

    /**
     * A configuration change the manifest does not absorb (or the system reclaiming memory) destroys the covered
     * activity without finishing it and creates a new instance from its saved state; the redirect then reaches the
     * new instance. The round trip goes on: nothing is reported closed, the tab is not opened twice.
     */
    @Test
    fun recreationKeepsTheRoundTrip() {
        val session = RecordingSession()
        val intent = launch(session)
        val first = open(intent)
        val saved = Bundle()
        first.saveInstanceState(saved).destroy()
        val second = Robolectric.buildActivity(LogtoAuthActivity::class.java, intent).create(saved)
        assertEquals(0, session.closes.get())
        val receiver = Robolectric.buildActivity(LogtoRedirectActivity::class.java, redirectIntent("com.example.app://callback?code=c3")).setup()
        assertTrue(receiver.get().isFinishing)
        second.newIntent(nextStartedActivity()).start().resume()
        assertNull("the tab is not opened twice", shadowOf(app).nextStartedActivity)
        assertEquals(listOf("com.example.app://callback?code=c3"), session.redirects)
        assertEquals(0, session.closes.get())
        assertTrue(second.get().isFinishing)
    }

    /**
     * "Don't keep activities": the system destroys the covered auth activity (not finishing) and recreates it from its
     * saved state when the user comes back; closing the tab then still reports closed, once.
     */
    @Test
    fun destroyedBySystemThenRecreatedReportsCloseOnce() {
        val session = RecordingSession()
        val intent = launch(session)
        val first = open(intent)
        val saved = Bundle()
        first.saveInstanceState(saved).destroy()
        assertEquals("a system destroy is not a cancellation", 0, session.closes.get())
        val second = Robolectric.buildActivity(LogtoAuthActivity::class.java, intent).setup(saved)
        assertNull("the tab is not opened again", shadowOf(app).nextStartedActivity)
        assertEquals(1, session.closes.get())
        assertTrue(second.get().isFinishing)
    }

    /**
     * An auth activity of an earlier round trip that resumes or finishes late (its round trip ended through a
     * timeout's dismiss, say) must not end the round trip that is running now.
     */
    @Test
    fun staleAuthActivityDoesNotCloseTheNextRoundTrip() {
        val first = RecordingSession()
        val old = open(launch(first))
        val second = RecordingSession()
        val current = open(launch(second)) // the first round trip is over for the coordinator; a new one runs
        old.restart().resume() // the old instance comes back to the foreground …
        old.get().finish()
        old.destroy() // … and goes away
        assertEquals("the running round trip was not closed by the old activity", 0, second.closes.get())
        redirect(current, "com.example.app://callback?code=c4")
        assertEquals(listOf("com.example.app://callback?code=c4"), second.redirects)
    }

    /** A redirect that arrives when nothing waits (process restarted) is kept for handleSignInCallback. */
    @Test
    fun redirectWithoutRoundTripIsKeptForTheApp() {
        val receiver = Robolectric.buildActivity(LogtoRedirectActivity::class.java, redirectIntent("com.example.app://callback?code=late")).setup()
        assertTrue(receiver.get().isFinishing)
        val forward = nextStartedActivity()
        val auth = Robolectric.buildActivity(LogtoAuthActivity::class.java, forward).setup()
        assertTrue(auth.get().isFinishing)
        assertEquals("com.example.app://callback?code=late", LogtoRedirects.take())
        assertNull(LogtoRedirects.take())
    }

    /**
     * dismiss() after the system destroyed the covered auth activity ("Don't keep activities"): the instance created
     * for the dismiss request reports the round trip closed and does not open the tab again.
     */
    @Test
    fun dismissReachingANewInstanceClosesWithoutReopeningTheTab() {
        val session = RecordingSession()
        val intent = launch(session)
        open(intent).destroy() // destroyed by the system, not finishing
        LogtoAuthActivity.dismiss(app)
        val fresh = Robolectric.buildActivity(LogtoAuthActivity::class.java, nextStartedActivity()).setup()
        assertNull("no tab opened again", shadowOf(app).nextStartedActivity)
        assertEquals(1, session.closes.get())
        assertTrue(fresh.get().isFinishing)
    }

    /** dismiss() (after a timeout) brings the auth activity back over the tab, which reports the round trip closed. */
    @Test
    fun dismissClosesTheOpenRoundTrip() {
        val session = RecordingSession()
        val controller = open(launch(session))
        LogtoAuthActivity.dismiss(app)
        val back = nextStartedActivity()
        assertEquals(LogtoAuthActivity::class.java.name, back.component?.className)
        assertTrue(back.flags and Intent.FLAG_ACTIVITY_CLEAR_TOP != 0)
        controller.newIntent(back)
        controller.restart().resume()
        assertEquals(1, session.closes.get())
        assertTrue(controller.get().isFinishing)
    }
}
