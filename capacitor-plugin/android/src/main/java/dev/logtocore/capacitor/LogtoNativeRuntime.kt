package dev.logtocore.capacitor

import android.app.Activity
import android.content.Context
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import java.lang.ref.WeakReference

/**
 * The plugin's state that belongs to the process, not to one `LogtoNativePlugin` instance: Capacitor creates a new
 * plugin with every bridge, and the main activity (so the bridge) is destroyed and recreated while a sign-in goes on
 * ("Don't keep activities", configuration changes the manifest does not absorb). The implementation (configured
 * client, running round trip) and the coroutines of the calls live here, so a recreated plugin re-attaches to a
 * running sign-in and it completes. Released only when the app's activity is really finishing.
 */
internal object LogtoNativeRuntime {
    private var implementation: LogtoNativeImplementation? = null
    private var calls: CoroutineScope? = null

    /** The activity of the plugin attached last (the browser opens over it). */
    @Volatile private var activity: WeakReference<Activity>? = null

    /** The implementation of the process, created on first use, and the scope the calls run in. */
    @Synchronized
    fun attach(context: Context, activity: Activity?): Pair<LogtoNativeImplementation, CoroutineScope> {
        this.activity = activity?.let(::WeakReference)
        val app = context.applicationContext
        val current = implementation ?: LogtoNativeImplementation(AndroidLogtoPlatform(app) { this.activity?.get() })
            .also { implementation = it }
        val scope = calls ?: CoroutineScope(SupervisorJob() + Dispatchers.Main.immediate).also { calls = it }
        return current to scope
    }

    /** The plugin of [activity] goes away without the app finishing: keep everything, forget the activity. */
    @Synchronized
    fun detach(activity: Activity?) {
        if (this.activity?.get() === activity) this.activity = null
    }

    /**
     * The app is finishing: end the open round trip (dismissing the tab), cancel the calls still running and free
     * the native client. A later plugin starts afresh.
     */
    @Synchronized
    fun release(of: LogtoNativeImplementation) {
        if (implementation !== of) return
        implementation = null
        of.close() // dismisses the open tab over the finishing activity
        activity = null
        calls?.cancel()
        calls = null
    }
}
