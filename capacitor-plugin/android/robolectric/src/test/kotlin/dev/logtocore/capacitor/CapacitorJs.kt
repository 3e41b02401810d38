package dev.logtocore.capacitor

import android.os.Looper
import android.webkit.ValueCallback
import android.webkit.WebView
import com.getcapacitor.BridgeActivity
import com.getcapacitor.MessageHandler
import org.json.JSONObject
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Implementation
import org.robolectric.annotation.Implements
import org.robolectric.annotation.RealObject
import org.robolectric.shadows.ShadowWebView
import java.time.Duration
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicInteger

/**
 * Robolectric's WebView, recording every script the bridge evaluates in it: that is how Capacitor hands results and
 * events to JavaScript (`window.Capacitor.fromNative({...})`, legacy bridge).
 */
@Implements(WebView::class)
class RecordingWebViewShadow : ShadowWebView() {
    @RealObject
    lateinit var webView: WebView

    @Implementation
    override fun evaluateJavascript(script: String, callback: ValueCallback<String>?) {
        super.evaluateJavascript(script, callback)
        evaluated += webView to script
    }

    companion object {
        val evaluated = CopyOnWriteArrayList<Pair<WebView, String>>()
    }
}

/**
 * The JavaScript side of one Capacitor bridge, doing what native-bridge.js does: each plugin call is the message
 * `{ callbackId, pluginId, methodName, options }` posted to the `androidBridge` JavaScript interface (Capacitor's
 * MessageHandler), and each result is the object the bridge passes to `window.Capacitor.fromNative`.
 */
class CapacitorJs(activity: BridgeActivity, private val pluginId: String = "LogtoNative") {
    private val webView: WebView = activity.bridge.webView
    private val androidBridge = shadowOf(webView).getJavascriptInterface("androidBridge") as MessageHandler

    /** Posts a call and returns its callback id. */
    fun post(methodName: String, options: JSONObject = JSONObject()): String {
        val callbackId = nextCallbackId.incrementAndGet().toString()
        val message = JSONObject()
            .put("callbackId", callbackId)
            .put("pluginId", pluginId)
            .put("methodName", methodName)
            .put("options", options)
        androidBridge.postMessage(message.toString())
        return callbackId
    }

    /** Every result the bridge sent to this page's JavaScript for [callbackId], in order. */
    fun results(callbackId: String): List<JSONObject> = RecordingWebViewShadow.evaluated
        .filter { (view, _) -> view === webView }
        .mapNotNull { (_, script) -> fromNative(script) }
        .filter { it.optString("callbackId") == callbackId }

    /** Waits for the first result of [callbackId] (pumping the main looper, which runs the plugin's coroutines). */
    fun await(callbackId: String, timeoutMs: Long = 60_000): JSONObject {
        val deadline = System.currentTimeMillis() + timeoutMs
        while (true) {
            results(callbackId).firstOrNull()?.let { return it }
            check(System.currentTimeMillis() < deadline) { "no result for call #$callbackId within $timeoutMs ms" }
            shadowOf(Looper.getMainLooper()).idleFor(Duration.ofMillis(10))
            Thread.sleep(10)
        }
    }

    /** Posts a call and waits for its result. */
    fun call(methodName: String, options: JSONObject = JSONObject()): JSONObject = await(post(methodName, options))

    /** [call], failing unless it succeeded; returns its `data`. */
    fun ok(methodName: String, options: JSONObject = JSONObject()): JSONObject {
        val result = call(methodName, options)
        check(result.getBoolean("success")) { "$methodName failed: ${result.optJSONObject("error")}" }
        return result.optJSONObject("data") ?: JSONObject()
    }

    companion object {
        private val nextCallbackId = AtomicInteger(1000)

        private fun fromNative(script: String): JSONObject? {
            val prefix = "window.Capacitor.fromNative("
            if (!script.startsWith(prefix) || !script.endsWith(")")) return null
            return JSONObject(script.substring(prefix.length, script.length - 1))
        }
    }
}
