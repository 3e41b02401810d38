package dev.logtocore.capacitor

import android.content.Intent
import com.getcapacitor.JSObject
import com.getcapacitor.Plugin
import com.getcapacitor.PluginCall
import com.getcapacitor.PluginMethod
import com.getcapacitor.annotation.CapacitorPlugin
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.launch
import org.json.JSONObject

/**
 * The Capacitor bridge of LogtoNative on Android. It only converts: each call's arguments are parsed into a typed
 * request ([BridgeRequests]), the work is delegated to [LogtoNativeImplementation] (pure Kotlin, JVM-tested), results
 * are wrapped as `{ value }`, and failures reject with the stable error codes of [LogtoBridgeException].
 *
 * The implementation and the calls' coroutines belong to the process ([LogtoNativeRuntime]): a plugin destroyed with
 * its activity while the app goes on (configuration change, "Don't keep activities") leaves the sign-in running, and
 * the plugin of the recreated activity re-attaches to it. Only a finishing activity tears it down.
 */
@CapacitorPlugin(name = "LogtoNative")
class LogtoNativePlugin : Plugin() {
    private lateinit var implementation: LogtoNativeImplementation
    private lateinit var scope: CoroutineScope
    private val authStateListener: (AuthStateChangeType) -> Unit = { type ->
        notifyListeners("authStateChange", JSObject().put("type", type.wireName))
    }

    override fun load() {
        val (runtime, calls) = LogtoNativeRuntime.attach(context, activity)
        implementation = runtime
        scope = calls
        implementation.setAuthStateListener(authStateListener)
        // Cold start: the app may have been launched by the redirect of a sign-in its previous process started.
        activity?.intent?.dataString?.let { implementation.onRedirect(it) }
    }

    override fun handleOnNewIntent(intent: Intent) {
        super.handleOnNewIntent(intent)
        intent.dataString?.let { implementation.onRedirect(it) }
    }

    override fun handleOnResume() {
        super.handleOnResume()
        implementation.onHostResume()
    }

    override fun handleOnDestroy() {
        implementation.removeAuthStateListener(authStateListener)
        val host = activity
        if (host == null || (host.isFinishing && !host.isChangingConfigurations)) {
            LogtoNativeRuntime.release(implementation)
        } else {
            LogtoNativeRuntime.detach(host)
        }
        super.handleOnDestroy()
    }

    @PluginMethod
    fun configure(call: PluginCall) = dispatch(call) {
        implementation.configure(BridgeRequests.configure(call.data))
        call.resolve()
    }

    @PluginMethod
    fun signIn(call: PluginCall) = dispatch(call) {
        implementation.signIn(BridgeRequests.signIn(call.data))
        call.resolve()
    }

    @PluginMethod
    fun signOut(call: PluginCall) = dispatch(call) {
        implementation.signOut(BridgeRequests.optionalString(call.data, "postLogoutRedirectUri"))
        call.resolve()
    }

    @PluginMethod
    fun isAuthenticated(call: PluginCall) = dispatch(call) {
        call.resolve(JSObject().put("value", implementation.isAuthenticated()))
    }

    @PluginMethod
    fun getOidcConfig(call: PluginCall) = dispatch(call) { resolveObject(call, implementation.getOidcConfig()) }

    @PluginMethod
    fun isSignInRedirected(call: PluginCall) = dispatch(call) {
        val url = BridgeRequests.requiredString(call.data, "url")
        call.resolve(JSObject().put("value", implementation.isSignInRedirected(url)))
    }

    @PluginMethod
    fun getIdToken(call: PluginCall) = dispatch(call) { resolveNullable(call, implementation.getIdToken()) }

    @PluginMethod
    fun getIdTokenClaims(call: PluginCall) = dispatch(call) { resolveObject(call, implementation.getIdTokenClaims()) }

    @PluginMethod
    fun getRefreshToken(call: PluginCall) = dispatch(call) { resolveNullable(call, implementation.getRefreshToken()) }

    @PluginMethod
    fun getAccessToken(call: PluginCall) = dispatch(call) {
        val token = implementation.getAccessToken(
            BridgeRequests.optionalString(call.data, "resource"),
            BridgeRequests.optionalString(call.data, "organizationId"),
        )
        call.resolve(JSObject().put("value", token))
    }

    @PluginMethod
    fun getAccessTokenClaims(call: PluginCall) = dispatch(call) {
        resolveObject(call, implementation.getAccessTokenClaims(BridgeRequests.optionalString(call.data, "resource")))
    }

    @PluginMethod
    fun getOrganizationToken(call: PluginCall) = dispatch(call) {
        val organizationId = BridgeRequests.requiredString(call.data, "organizationId")
        call.resolve(JSObject().put("value", implementation.getOrganizationToken(organizationId)))
    }

    @PluginMethod
    fun getOrganizationTokenClaims(call: PluginCall) = dispatch(call) {
        val organizationId = BridgeRequests.requiredString(call.data, "organizationId")
        resolveObject(call, implementation.getOrganizationTokenClaims(organizationId))
    }

    @PluginMethod
    fun fetchUserInfo(call: PluginCall) = dispatch(call) { resolveObject(call, implementation.fetchUserInfo()) }

    @PluginMethod
    fun clearAccessToken(call: PluginCall) = dispatch(call) {
        implementation.clearAccessToken()
        call.resolve()
    }

    @PluginMethod
    fun clearAllTokens(call: PluginCall) = dispatch(call) {
        implementation.clearAllTokens()
        call.resolve()
    }

    @PluginMethod
    fun handleSignInCallback(call: PluginCall) = dispatch(call) {
        implementation.handleSignInCallback(BridgeRequests.requiredString(call.data, "url"))
        call.resolve()
    }

    private fun resolveNullable(call: PluginCall, value: String?) {
        call.resolve(JSObject().put("value", value ?: JSONObject.NULL))
    }

    private fun resolveObject(call: PluginCall, value: JSONObject) {
        call.resolve(JSObject().put("value", JSObject.fromJSONObject(value)))
    }

    /** Runs [block] on the main thread; every failure rejects the call with a stable code and a safe message. */
    private fun dispatch(call: PluginCall, block: suspend () -> Unit) {
        scope.launch {
            try {
                block()
            } catch (error: LogtoBridgeException) {
                val data = error.data?.let { JSObject.fromJSONObject(JSONObject(it)) }
                // No exception argument: Capacitor would log it, and messages of lower layers are not vetted.
                call.reject(error.message, error.code, null, data)
            } catch (error: CancellationException) {
                call.reject("The plugin was destroyed.", "internal")
                throw error
            } catch (error: Exception) {
                call.reject("Internal error.", "internal")
            }
        }
    }
}
