package dev.logtocore.android

import android.content.ComponentName
import android.content.Intent
import android.content.IntentFilter
import android.net.Uri
import android.os.Bundle
import android.os.IBinder
import android.os.Looper
import android.support.customtabs.ICustomTabsCallback
import android.support.customtabs.ICustomTabsService
import dev.logtocore.BrowserSession
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import java.time.Duration
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicInteger

/** A [BrowserSession] that records what the Android glue reported. */
class RecordingSession(private val accept: Boolean = true) : BrowserSession {
    val redirects = CopyOnWriteArrayList<String>()
    val closes = AtomicInteger()

    override fun onRedirect(url: String): Boolean {
        redirects += url
        return accept
    }

    override fun onClosed() {
        closes.incrementAndGet()
    }
}

/** The package of the browser the tests install: it handles http(s) and offers a Custom Tabs service. */
const val BROWSER_PACKAGE = "com.example.browser"

/**
 * The browser's Custom Tabs service, as the app sees it through `bindService`: records the calls the AIDL interface
 * receives (the binder is handed over in-process, so `ICustomTabsService.Stub.asInterface` returns this object).
 */
class FakeCustomTabsService : ICustomTabsService.Stub() {
    val warmups = AtomicInteger()
    val sessions = AtomicInteger()
    val mayLaunchUrls = CopyOnWriteArrayList<Uri>()

    override fun warmup(flags: Long): Boolean = true.also { warmups.incrementAndGet() }
    override fun newSession(callback: ICustomTabsCallback?): Boolean = true.also { sessions.incrementAndGet() }
    override fun newSessionWithExtras(callback: ICustomTabsCallback?, extras: Bundle?): Boolean =
        true.also { sessions.incrementAndGet() }
    override fun mayLaunchUrl(callback: ICustomTabsCallback?, url: Uri?, extras: Bundle?, others: List<Bundle>?): Boolean =
        true.also { if (url != null) mayLaunchUrls += url }
    override fun extraCommand(command: String?, args: Bundle?): Bundle? = null
    override fun updateVisuals(callback: ICustomTabsCallback?, bundle: Bundle?): Boolean = false
    override fun requestPostMessageChannel(callback: ICustomTabsCallback?, origin: Uri?): Boolean = false
    override fun requestPostMessageChannelWithExtras(callback: ICustomTabsCallback?, origin: Uri?, extras: Bundle?) = false
    override fun postMessage(callback: ICustomTabsCallback?, message: String?, extras: Bundle?): Int = 0
    override fun validateRelationship(callback: ICustomTabsCallback?, relation: Int, origin: Uri?, extras: Bundle?) = false
    override fun receiveFile(callback: ICustomTabsCallback?, uri: Uri?, purpose: Int, extras: Bundle?): Boolean = false
    override fun isEngagementSignalsApiAvailable(callback: ICustomTabsCallback?, extras: Bundle?): Boolean = false
    override fun setEngagementSignalsCallback(callback: ICustomTabsCallback?, engagementSignalsCallback: IBinder?, extras: Bundle?) = false
}

/**
 * Installs a browser in Robolectric's package manager, as a device has one: an activity for `VIEW` http/https
 * (BROWSABLE) and, when [customTabs], the `CustomTabsService` service Custom Tabs providers export, bound to the
 * returned [FakeCustomTabsService].
 */
fun installBrowser(customTabs: Boolean = true): FakeCustomTabsService? {
    val app = RuntimeEnvironment.getApplication()
    val pm = shadowOf(app.packageManager)
    val activity = ComponentName(BROWSER_PACKAGE, "$BROWSER_PACKAGE.BrowserActivity")
    pm.addActivityIfNotPresent(activity)
    pm.addIntentFilterForActivity(
        activity,
        IntentFilter(Intent.ACTION_VIEW).apply {
            addCategory(Intent.CATEGORY_DEFAULT)
            addCategory(Intent.CATEGORY_BROWSABLE)
            addDataScheme("http")
            addDataScheme("https")
        },
    )
    if (customTabs) {
        val service = ComponentName(BROWSER_PACKAGE, "$BROWSER_PACKAGE.CustomTabsService")
        pm.addServiceIfNotPresent(service)
        pm.addIntentFilterForService(
            service,
            IntentFilter("android.support.customtabs.action.CustomTabsService"),
        )
        val fake = FakeCustomTabsService()
        shadowOf(app).setComponentNameAndServiceForBindService(service, fake)
        return fake
    }
    return null
}

/**
 * Runs the main looper until [condition] holds or [timeoutMs] passes, moving Robolectric's clock along with real
 * time so delayed main-thread work (coroutine delays, timeouts) runs too; the network work runs on other threads.
 */
fun pumpUntil(timeoutMs: Long = 30_000, condition: () -> Boolean) {
    val deadline = System.currentTimeMillis() + timeoutMs
    while (!condition()) {
        shadowOf(Looper.getMainLooper()).idleFor(Duration.ofMillis(10))
        if (condition()) return
        check(System.currentTimeMillis() < deadline) { "condition not met within $timeoutMs ms" }
        Thread.sleep(10)
    }
}

/** The next activity the app started, or fails. */
fun nextStartedActivity(): Intent =
    shadowOf(RuntimeEnvironment.getApplication()).nextStartedActivity ?: error("no activity was started")

/** The intent the browser sends when it reaches the redirect URI. */
fun redirectIntent(url: String): Intent =
    Intent(Intent.ACTION_VIEW, Uri.parse(url)).addCategory(Intent.CATEGORY_BROWSABLE)

/**
 * On a desktop JVM the Rust library is the host build: it has no Android JNI entry point for the platform trust
 * store's set-up, and the core there verifies certificates with the host's store. Everything else runs for real.
 */
fun hostTrustStore() {
    PlatformTls.handOver = {}
}
