package dev.logtocore.android

import android.app.Activity
import android.content.Intent
import android.os.Bundle

/**
 * Exported receiver of `${logtoRedirectScheme}://…` URLs (manifest placeholder). It only forwards the URL to
 * [LogtoAuthActivity] with `CLEAR_TOP | SINGLE_TOP`, which removes the Custom Tab from the back stack and delivers
 * the URL through `onNewIntent`, then finishes.
 *
 * When no round trip is waiting in this process (it was killed while the Custom Tab was open, so this is a cold
 * start), the URL is also kept in [LogtoRedirects] right here: the restored `LogtoAuthActivity` finishes in
 * `onCreate` and may never see the new intent. The app completes the sign-in with `handleSignInCallback`.
 */
class LogtoRedirectActivity : Activity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val url = intent?.data
        if (url != null && !LogtoAuthActivity.isRoundTripRunning) LogtoRedirects.unhandled = url.toString()
        val forward = Intent(this, LogtoAuthActivity::class.java)
            .setData(intent?.data)
            .addFlags(Intent.FLAG_ACTIVITY_CLEAR_TOP or Intent.FLAG_ACTIVITY_SINGLE_TOP)
        startActivity(forward)
        finish()
    }
}
