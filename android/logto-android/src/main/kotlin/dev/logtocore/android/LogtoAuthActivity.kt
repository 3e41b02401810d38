package dev.logtocore.android

import android.app.Activity
import android.content.ActivityNotFoundException
import android.content.Context
import android.content.Intent
import android.net.Uri
import android.os.Bundle
import androidx.browser.customtabs.CustomTabColorSchemeParams
import androidx.browser.customtabs.CustomTabsIntent
import dev.logtocore.BrowserLauncher
import dev.logtocore.BrowserSession
import java.util.UUID
import java.util.concurrent.atomic.AtomicReference

/**
 * Opens URLs in a Custom Tab (any browser supporting Custom Tabs, else the default browser) through
 * [LogtoAuthActivity]. One round trip at a time (the [dev.logtocore.BrowserFlowCoordinator] guarantees it).
 *
 * [toolbarColor] (ARGB, null = the browser's default) and [showTitle] style the tab. The Custom Tabs service is
 * warmed up and told the URL ([CustomTabsWarmup]) before the activity starts, so the first page loads sooner.
 */
class CustomTabsBrowserLauncher(
    private val context: Context,
    private val toolbarColor: Int? = null,
    private val showTitle: Boolean = false,
) : BrowserLauncher {
    override fun launch(url: String, redirectUri: String, session: BrowserSession) {
        val probe = Intent(Intent.ACTION_VIEW, Uri.parse(url)).addCategory(Intent.CATEGORY_BROWSABLE)
        if (probe.resolveActivity(context.packageManager) == null) {
            throw ActivityNotFoundException("no browser can open the authorization URL")
        }
        CustomTabsWarmup.mayLaunchUrl(context, url)
        val roundTrip = RoundTrips.start(url, session, toolbarColor, showTitle)
        val intent = Intent(context, LogtoAuthActivity::class.java).putExtra(LogtoAuthActivity.EXTRA_ROUND_TRIP, roundTrip.id)
        if (context !is Activity) intent.addFlags(Intent.FLAG_ACTIVITY_NEW_TASK)
        context.startActivity(intent)
    }

    /**
     * Closes the Custom Tab of the running round trip, if any (e.g. after a timeout): brings [LogtoAuthActivity]
     * back on top, which ends the round trip as closed.
     */
    fun dismiss() = LogtoAuthActivity.dismiss(context)
}

/**
 * The browser round trip that is running, held by the process rather than by an activity instance: activities are
 * destroyed and recreated (configuration changes, "Don't keep activities") while the round trip goes on. Each round
 * trip has an id, carried in the intent that starts [LogtoAuthActivity], so that an instance of an earlier round
 * trip can never end the current one.
 */
internal object RoundTrips {
    class RoundTrip(
        val id: String,
        val url: String,
        val session: BrowserSession,
        val toolbarColor: Int?,
        val showTitle: Boolean,
    )

    private val current = AtomicReference<RoundTrip?>(null)

    fun start(url: String, session: BrowserSession, toolbarColor: Int?, showTitle: Boolean): RoundTrip =
        RoundTrip(UUID.randomUUID().toString(), url, session, toolbarColor, showTitle).also { current.set(it) }

    /** The running round trip if it is [id]'s. */
    fun get(id: String?): RoundTrip? = current.get()?.takeIf { it.id == id }

    /** The running round trip, whichever it is (a redirect belongs to whatever round trip is running). */
    fun any(): RoundTrip? = current.get()

    /** Ends [roundTrip] if it is still the running one; true if this call ended it. */
    fun end(roundTrip: RoundTrip): Boolean = current.compareAndSet(roundTrip, null)

    /** Forgets the running round trip without reporting anything (tests). */
    fun clear() = current.set(null)
}

/**
 * Invisible activity that owns one browser round trip (AppAuth's "management activity" pattern):
 *
 * 1. first `onResume`: opens the Custom Tab;
 * 2. the browser reaches the redirect URI → [LogtoRedirectActivity] starts this activity again with the URL
 *    (`CLEAR_TOP | SINGLE_TOP`), which arrives in `onNewIntent` **before** the next `onResume`: reported as a redirect;
 * 3. a later `onResume` without such an intent means the user closed the tab: reported as closed;
 * 4. finished without coming back (the user returned through the launcher icon of a `singleTask` main activity, which
 *    finishes every activity above it): reported as closed in `onDestroy`, so the sign-in settles as
 *    `user_cancelled` instead of waiting forever.
 *
 * Destroyed without finishing (configuration change, the system reclaiming it): nothing is reported; the new
 * instance, created from the saved state, carries on. The instance only acts on the round trip whose id its intent
 * carries.
 *
 * Because Android delivers `onNewIntent` before `onResume`, a redirect can never be mistaken for a close; the
 * coordinator's grace period is only a second line of defence.
 */
class LogtoAuthActivity : Activity() {
    private var roundTripId: String? = null
    private var browserOpened = false

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        roundTripId = savedInstanceState?.getString(KEY_ROUND_TRIP) ?: intent?.getStringExtra(EXTRA_ROUND_TRIP)
        browserOpened = savedInstanceState?.getBoolean(KEY_OPENED) ?: false
        if (deliverRedirect(intent) || dismissRequested(intent)) return
        // Nothing is waiting for this instance (recreated after process death, or an earlier round trip's).
        if (RoundTrips.get(roundTripId) == null) finish()
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        setIntent(intent)
        deliverRedirect(intent) || dismissRequested(intent)
    }

    override fun onResume() {
        super.onResume()
        if (isFinishing) return
        val current = RoundTrips.get(roundTripId) ?: return finish()
        if (!browserOpened) {
            browserOpened = true
            try {
                val builder = CustomTabsWarmup.session()?.let { CustomTabsIntent.Builder(it) } ?: CustomTabsIntent.Builder()
                builder.setShareState(CustomTabsIntent.SHARE_STATE_OFF).setShowTitle(current.showTitle)
                current.toolbarColor?.let { color ->
                    builder.setDefaultColorSchemeParams(CustomTabColorSchemeParams.Builder().setToolbarColor(color).build())
                }
                builder.build().launchUrl(this, Uri.parse(current.url))
            } catch (e: ActivityNotFoundException) {
                close(current)
            }
        } else {
            close(current)
        }
    }

    override fun onSaveInstanceState(outState: Bundle) {
        super.onSaveInstanceState(outState)
        outState.putString(KEY_ROUND_TRIP, roundTripId)
        outState.putBoolean(KEY_OPENED, browserOpened)
    }

    override fun onDestroy() {
        // Finished by the system without coming back to the foreground (launcher icon of a singleTask main
        // activity, task cleared): the user left the tab. Not when only this instance goes away (recreation).
        if (isFinishing && !isChangingConfigurations) {
            RoundTrips.get(roundTripId)?.let { current -> if (RoundTrips.end(current)) current.session.onClosed() }
        }
        super.onDestroy()
    }

    private fun deliverRedirect(intent: Intent?): Boolean {
        val url = intent?.data?.toString() ?: return false
        val current = RoundTrips.any()
        val taken = current != null && RoundTrips.end(current) && current.session.onRedirect(url)
        if (!taken) {
            // No round trip is waiting (the process was restarted, or the user gave up): keep it for the app,
            // which can still complete the sign-in with LogtoClient.handleSignInCallback (the pending sign-in is
            // persisted by the core).
            LogtoRedirects.unhandled = url
        }
        finish()
        return true
    }

    /**
     * [dismiss] brought this activity back over the tab: the round trip ends as closed now. Handled here rather than
     * in `onResume` because the instance may be a new one (the system had destroyed the old), which would otherwise
     * open the tab again.
     */
    private fun dismissRequested(intent: Intent?): Boolean {
        val id = intent?.getStringExtra(EXTRA_DISMISS) ?: return false
        RoundTrips.get(id)?.let { close(it) } ?: finish()
        return true
    }

    private fun close(current: RoundTrips.RoundTrip) {
        if (RoundTrips.end(current)) current.session.onClosed()
        finish()
    }

    companion object {
        /** The id of the round trip an instance belongs to (intent extra). */
        internal const val EXTRA_ROUND_TRIP = "dev.logtocore.roundTrip"

        /** The id of the round trip [dismiss] ends (intent extra). */
        private const val EXTRA_DISMISS = "dev.logtocore.dismiss"
        private const val KEY_ROUND_TRIP = "dev.logtocore.roundTrip"
        private const val KEY_OPENED = "dev.logtocore.browserOpened"

        /** Whether a round trip is waiting for its redirect or close. */
        val isRoundTripRunning: Boolean get() = RoundTrips.any() != null

        /**
         * Closes the Custom Tab of the running round trip, if one is open: restarts this activity with
         * `CLEAR_TOP | SINGLE_TOP` (which removes the tab above it) and a dismiss request, on which it reports the
         * round trip as closed and finishes. Does nothing when no round trip is waiting.
         */
        fun dismiss(context: Context) {
            val current = RoundTrips.any() ?: return
            val intent = Intent(context, LogtoAuthActivity::class.java)
                .putExtra(EXTRA_ROUND_TRIP, current.id)
                .putExtra(EXTRA_DISMISS, current.id)
                .addFlags(Intent.FLAG_ACTIVITY_CLEAR_TOP or Intent.FLAG_ACTIVITY_SINGLE_TOP)
            if (context !is Activity) intent.addFlags(Intent.FLAG_ACTIVITY_NEW_TASK)
            context.startActivity(intent)
        }
    }
}

/** Redirects that arrived when no sign-in was waiting (see [LogtoAuthActivity]). */
object LogtoRedirects {
    /** The last such redirect URL; read it (e.g. at app start) and pass it to `handleSignInCallback`. */
    @Volatile
    var unhandled: String? = null

    /** Returns and clears [unhandled]. */
    fun take(): String? = unhandled.also { unhandled = null }
}
