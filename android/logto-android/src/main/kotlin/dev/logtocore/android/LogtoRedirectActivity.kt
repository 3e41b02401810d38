package dev.logtocore.android

import android.app.Activity
import android.content.Intent
import android.os.Bundle

/**
 * Exported receiver of `${logtoRedirectScheme}://…` URLs (manifest placeholder). It only forwards the URL to
 * [LogtoAuthActivity] with `CLEAR_TOP | SINGLE_TOP`, which removes the Custom Tab from the back stack and delivers
 * the URL through `onNewIntent`, then finishes.
 */
class LogtoRedirectActivity : Activity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val forward = Intent(this, LogtoAuthActivity::class.java)
            .setData(intent?.data)
            .addFlags(Intent.FLAG_ACTIVITY_CLEAR_TOP or Intent.FLAG_ACTIVITY_SINGLE_TOP)
        startActivity(forward)
        finish()
    }
}
