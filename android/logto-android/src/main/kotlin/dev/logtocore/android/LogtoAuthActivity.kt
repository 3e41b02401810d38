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

/**
 * Opens URLs in a Custom Tab (any browser supporting Custom Tabs, else the default browser) through
 * [LogtoAuthActivity]. One round trip at a time (the [dev.logtocore.BrowserFlowCoordinator] guarantees it).
 *
 * [toolbarColor] (ARGB, null = the browser's default) and [showTitle] style the tab.
 */
class CustomTabsBrowserLauncher(
    private val context: Context,
    private val toolbarColor: Int? = null,
    private val showTitle: Boolean = false,
) : BrowserLauncher {
    override fun launch(url: String, redirectUri: String, session: BrowserSession) {
        val probe = Intent(Intent.ACTION_VIEW, Uri.parse(url)).addCategory(Intent.CATEGORY_BROWSABLE)
        if (probe.resolveActivity(context.packageManager) == null) {
            throw ActivityNotFoundException("no browser can open $url")
        }
        LogtoAuthActivity.pending = LogtoAuthActivity.Pending(url, session, toolbarColor, showTitle)
        val intent = Intent(context, LogtoAuthActivity::class.java)
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
 * Invisible activity that owns one browser round trip (AppAuth's "management activity" pattern):
 *
 * 1. first `onResume`: opens the Custom Tab;
 * 2. the browser reaches the redirect URI → [LogtoRedirectActivity] starts this activity again with the URL
 *    (`CLEAR_TOP | SINGLE_TOP`), which arrives in `onNewIntent` **before** the next `onResume`: reported as a redirect;
 * 3. a later `onResume` without such an intent means the user closed the tab: reported as closed.
 *
 * Because Android delivers `onNewIntent` before `onResume`, a redirect can never be mistaken for a close; the
 * coordinator's grace period is only a second line of defence.
 */
class LogtoAuthActivity : Activity() {
    internal data class Pending(
        val url: String,
        val session: BrowserSession,
        val toolbarColor: Int? = null,
        val showTitle: Boolean = false,
    )

    private var browserOpened = false

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        browserOpened = savedInstanceState?.getBoolean(KEY_OPENED) ?: false
        if (deliverRedirect(intent)) return
        if (pending == null) finish() // e.g. recreated after process death: nothing is waiting any more
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        setIntent(intent)
        deliverRedirect(intent)
    }

    override fun onResume() {
        super.onResume()
        if (isFinishing) return
        val current = pending ?: return finish()
        if (!browserOpened) {
            browserOpened = true
            try {
                val builder = CustomTabsIntent.Builder()
                    .setShareState(CustomTabsIntent.SHARE_STATE_OFF)
                    .setShowTitle(current.showTitle)
                current.toolbarColor?.let { color ->
                    builder.setDefaultColorSchemeParams(CustomTabColorSchemeParams.Builder().setToolbarColor(color).build())
                }
                builder.build().launchUrl(this, Uri.parse(current.url))
            } catch (e: ActivityNotFoundException) {
                finishWith { current.session.onClosed() }
            }
        } else {
            finishWith { current.session.onClosed() }
        }
    }

    override fun onSaveInstanceState(outState: Bundle) {
        super.onSaveInstanceState(outState)
        outState.putBoolean(KEY_OPENED, browserOpened)
    }

    private fun deliverRedirect(intent: Intent?): Boolean {
        val url = intent?.data?.toString() ?: return false
        val current = pending
        if (current == null || !current.session.onRedirect(url)) {
            // No round trip is waiting (the process was restarted, or the user gave up): keep it for the app,
            // which can still complete the sign-in with LogtoClient.handleSignInCallback (the pending sign-in is
            // persisted by the core).
            LogtoRedirects.unhandled = url
        }
        finishWith { }
        return true
    }

    private inline fun finishWith(report: () -> Unit) {
        pending = null
        report()
        finish()
    }

    companion object {
        private const val KEY_OPENED = "dev.logtocore.browserOpened"

        @Volatile
        internal var pending: Pending? = null

        /**
         * Closes the Custom Tab of the running round trip, if one is open: restarts this activity with
         * `CLEAR_TOP | SINGLE_TOP` (which removes the tab above it) and without a redirect, so its next `onResume`
         * reports the round trip as closed. Does nothing when no round trip is waiting.
         */
        fun dismiss(context: Context) {
            if (pending == null) return
            val intent = Intent(context, LogtoAuthActivity::class.java)
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
