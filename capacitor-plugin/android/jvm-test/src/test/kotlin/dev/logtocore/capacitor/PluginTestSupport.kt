package dev.logtocore.capacitor

import dev.logtocore.API_RESOURCE
import dev.logtocore.APP_ID
import dev.logtocore.BrowserLauncher
import dev.logtocore.BrowserSession
import dev.logtocore.DevIdp
import dev.logtocore.HeadlessBrowser
import dev.logtocore.MemoryStorage
import dev.logtocore.REDIRECT_URI
import dev.logtocore.ffi.Storage
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.delay
import kotlinx.coroutines.withTimeout
import org.json.JSONArray
import org.json.JSONObject
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicInteger

/**
 * What survives a process: the app's storage per app id (Keystore on Android) and the cold-start marker
 * (SharedPreferences). Two [FakePlatform]s sharing one [Disk] are two processes of the same app.
 */
class Disk {
    val storages = ConcurrentHashMap<String, MemoryStorage>()

    @Volatile var pendingSignIn: String? = null
}

/**
 * The platform of the JVM tests. The browser is [browser] (by default the Kotlin layer's [HeadlessBrowser]: a
 * cookie-keeping HTTP client that follows the authorization URL through the dev IdP, where `dev_login=alice` signs
 * in without a form, and reports the redirect); [unhandledRedirects] stands in for logto-android's `LogtoRedirects`.
 */
class FakePlatform(val disk: Disk = Disk()) : LogtoNativePlatform {
    @Volatile var browser: BrowserLauncher = HeadlessBrowser()

    @Volatile var now: Long = System.currentTimeMillis()

    /** Called when the implementation dismisses the browser (after a timeout). */
    @Volatile var onDismiss: () -> Unit = {}

    val dismissals = AtomicInteger()
    val browserOptions = CopyOnWriteArrayList<AndroidBrowserOptions>()
    val unhandledRedirects = ConcurrentLinkedQueue<String>()

    override fun storage(appId: String): Storage = disk.storages.getOrPut(appId) { MemoryStorage() }

    override fun browser(options: AndroidBrowserOptions): BrowserLauncher {
        browserOptions += options
        return browser
    }

    override fun dismissBrowser() {
        dismissals.incrementAndGet()
        onDismiss()
    }

    override fun takeUnhandledRedirect(): String? = unhandledRedirects.poll()

    override val pendingSignIns = object : PendingSignInStore {
        override fun get(): String? = disk.pendingSignIn

        override fun set(value: String) {
            disk.pendingSignIn = value
        }

        override fun remove() {
            disk.pendingSignIn = null
        }
    }

    override fun nowMillis(): Long = now
}

/** A browser that opens nothing and hands the round trip to the test. */
class ManualBrowser : BrowserLauncher {
    val launched = CompletableDeferred<Pair<String, BrowserSession>>()

    override fun launch(url: String, redirectUri: String, session: BrowserSession) {
        launched.complete(url to session)
    }

    suspend fun await(): Pair<String, BrowserSession> = withTimeout(10_000) { launched.await() }
}

/** A browser that cannot be opened (no activity, no browser app). */
class NoBrowser : BrowserLauncher {
    override fun launch(url: String, redirectUri: String, session: BrowserSession) =
        throw IllegalStateException("no browser")
}

/** The `configure` arguments as JavaScript sends them, parsed by the bridge's own parser. */
fun configureRequest(
    vararg scopes: String,
    timeoutMs: Long? = null,
    endpoint: String = DevIdp.endpoint,
    appId: String = APP_ID,
    android: JSONObject? = null,
): ConfigureRequest {
    val config = JSONObject().put("endpoint", endpoint).put("appId", appId)
        .put("resources", JSONArray().put(API_RESOURCE))
    if (scopes.isNotEmpty()) config.put("scopes", JSONArray(scopes.toList()))
    val options = JSONObject()
    if (timeoutMs != null) options.put("signInTimeoutMs", timeoutMs)
    if (android != null) options.put("android", android)
    return BridgeRequests.configure(JSONObject().put("config", config).put("options", options))
}

/** The `signIn` arguments as JavaScript sends them; `dev_login` makes the dev IdP sign [user] in without a form. */
fun signInRequest(user: String = "alice", redirectUri: String = REDIRECT_URI): SignInRequest =
    BridgeRequests.signIn(
        JSONObject().put("redirectUri", redirectUri).put("extraParams", JSONObject().put("dev_login", user)),
    )

/** Runs [block] and returns the [LogtoBridgeException] it throws; fails on anything else. */
suspend fun expectBridgeError(code: String, block: suspend () -> Any?): LogtoBridgeException {
    try {
        block()
    } catch (e: LogtoBridgeException) {
        if (e.code == code) return e
        throw AssertionError("expected code $code, got ${e.code}: ${e.message}", e)
    } catch (e: Throwable) {
        throw AssertionError("expected a LogtoBridgeException $code, got $e", e)
    }
    throw AssertionError("expected a LogtoBridgeException $code, nothing was thrown")
}

/** The events a listener received, in order. */
class EventLog : (AuthStateChangeType) -> Unit {
    val events = CopyOnWriteArrayList<AuthStateChangeType>()

    override fun invoke(type: AuthStateChangeType) {
        events += type
    }

    /** Waits (up to 2 s) until [count] events were received, then returns them all. */
    suspend fun awaitAtLeast(count: Int): List<AuthStateChangeType> {
        repeat(100) { if (events.size < count) delay(20) }
        return events.toList()
    }
}
