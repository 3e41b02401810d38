package dev.logtocore

import dev.logtocore.ffi.ExtraParam
import dev.logtocore.ffi.LogtoConfig
import dev.logtocore.ffi.SignInOptions
import dev.logtocore.ffi.Storage
import dev.logtocore.ffi.StorageException
import dev.logtocore.ffi.defaultLogtoConfig
import java.io.BufferedReader
import java.io.InputStreamReader
import java.net.CookieManager
import java.net.CookiePolicy
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.TimeUnit
import kotlin.concurrent.thread

const val APP_ID = "dev-native-app"
const val REDIRECT_URI = "com.example.app://callback"
const val POST_LOGOUT_URI = "com.example.app://callback/sign-out"
const val API_RESOURCE = "https://api.example.com"

/**
 * The dev IdP (tools/dev-idp), started once per test JVM with a 2 s access-token lifetime, or taken from the
 * `DEV_IDP_ENDPOINT` environment variable (then it must also run with `--access-token-ttl 2 --refresh-token-reuse-interval 0`).
 */
object DevIdp {
    private val http: HttpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()

    val endpoint: String by lazy { System.getenv("DEV_IDP_ENDPOINT")?.trimEnd('/') ?: start() }

    private fun start(): String {
        val bin = System.getProperty("dev.idp.bin") ?: error("system property dev.idp.bin is not set")
        // Reuse interval 0: a replayed refresh token revokes the grant at once, so a replay cannot hide inside Logto's
        // 3 s leeway (the tests that need the leeway start their own IdP).
        val process = ProcessBuilder(
            bin, "--port", "0", "--exit-on-stdin-close", "--access-token-ttl", "2", "--refresh-token-reuse-interval", "0",
        )
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start()
        // Closing its stdin (at JVM exit) makes it exit; destroy() is the fallback.
        Runtime.getRuntime().addShutdownHook(Thread {
            runCatching { process.outputStream.close() }
            if (!process.waitFor(2, TimeUnit.SECONDS)) process.destroy()
        })
        val stdout = BufferedReader(InputStreamReader(process.inputStream))
        var ready: String? = null
        val reader = thread(isDaemon = true, name = "dev-idp-stdout") {
            while (true) {
                val line = stdout.readLine() ?: break
                if (line.startsWith("DEV_IDP_READY ")) {
                    ready = line.substringAfter("endpoint=").trim()
                    break
                }
            }
        }
        // The first start may run `npm ci`.
        reader.join(TimeUnit.MINUTES.toMillis(5))
        return ready ?: error("dev IdP did not print DEV_IDP_READY (alive=${process.isAlive})")
    }

    fun config(vararg scopes: String): LogtoConfig =
        defaultLogtoConfig(endpoint, APP_ID).copy(
            scopes = scopes.toList(),
            resources = listOf(API_RESOURCE),
            accessTokenExpiryMarginSecs = 0u,
        )

    fun reset() {
        val res = http.send(
            HttpRequest.newBuilder(URI("$endpoint/__dev/reset")).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.discarding(),
        )
        check(res.statusCode() in 200..299) { "reset failed: ${res.statusCode()}" }
    }

    /** `POST /__dev/<path>` with a JSON body (fault knobs, key rotation…). */
    fun dev(path: String, json: String) {
        val res = http.send(
            HttpRequest.newBuilder(URI("$endpoint/__dev/$path"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.discarding(),
        )
        check(res.statusCode() in 200..299) { "/__dev/$path failed: ${res.statusCode()}" }
    }

    /** Waits until the IdP has answered [count] refresh-token grants since the last [reset]. */
    fun awaitRefreshes(count: Int) {
        val res = http.send(
            HttpRequest.newBuilder(
                URI("$endpoint/__dev/wait?path=/oidc/token&grant_type=refresh_token&count=$count&processed=true&timeout_ms=10000"),
            ).GET().build(),
            HttpResponse.BodyHandlers.discarding(),
        )
        check(res.statusCode() == 200) { "the IdP did not answer $count refreshes: ${res.statusCode()}" }
    }

    /** How many refresh-token grants since the last [reset] presented an already-consumed refresh token. */
    fun refreshTokenReuses(): Int {
        val stats = stats()
        return Regex("\"refresh_token_reuse\"\\s*:\\s*(\\d+)").find(stats)!!.groupValues[1].toInt()
    }

    /**
     * Waits until the IdP has answered a revocation of [token]. Sign-out revokes in the background (it never waits on
     * the network), so a test that checks the token at the IdP first waits for that request.
     */
    fun awaitRevoked(token: String) {
        val fingerprint = java.security.MessageDigest.getInstance("SHA-256").digest(token.toByteArray())
            .joinToString("") { "%02x".format(it) }.take(12)
        val res = http.send(
            HttpRequest.newBuilder(
                URI("$endpoint/__dev/wait?path=/oidc/token/revocation&token_fp=$fingerprint&processed=true&timeout_ms=10000"),
            ).GET().build(),
            HttpResponse.BodyHandlers.discarding(),
        )
        check(res.statusCode() == 200) { "the IdP answered no revocation of the token: ${res.statusCode()}" }
    }

    /** The raw JSON array of requests the IdP received since the last [reset]. */
    fun requests(): String = http.send(
        HttpRequest.newBuilder(URI("$endpoint/__dev/requests")).GET().build(),
        HttpResponse.BodyHandlers.ofString(),
    ).body()

    /** Token requests of [grantType] since the last [reset] (from `/__dev/stats`, which counts each request once). */
    fun countGrant(grantType: String): Int {
        val byGrantType = Regex("\"by_grant_type\"\\s*:\\s*\\{([^}]*)\\}").find(stats())!!.groupValues[1]
        return Regex("\"${Regex.escape(grantType)}\"\\s*:\\s*(\\d+)").find(byGrantType)?.groupValues?.get(1)?.toInt() ?: 0
    }

    private fun stats(): String = http.send(
        HttpRequest.newBuilder(URI("$endpoint/__dev/stats")).GET().build(),
        HttpResponse.BodyHandlers.ofString(),
    ).body()

    /** A refresh-token grant sent directly (not through the SDK): status and body. */
    fun refreshDirectly(refreshToken: String): Pair<Int, String> {
        val form = listOf("grant_type" to "refresh_token", "client_id" to APP_ID, "refresh_token" to refreshToken)
            .joinToString("&") { (k, v) -> "$k=${URLEncoder.encode(v, Charsets.UTF_8)}" }
        val res = http.send(
            HttpRequest.newBuilder(URI("$endpoint/oidc/token"))
                .header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build(),
            HttpResponse.BodyHandlers.ofString(),
        )
        return res.statusCode() to res.body()
    }
}

fun signInOptions(user: String = "alice") =
    SignInOptions(redirectUri = REDIRECT_URI, extraParams = listOf(ExtraParam("dev_login", user)))

/**
 * A browser without a screen: follows redirects with a cookie-keeping HTTP client (resolving relative `Location`s)
 * until the redirect URI, submits Logto's self-submitting sign-out form, and reports the outcome to the session.
 * Anything else (an error page, a network failure) counts as the user closing the browser.
 */
class HeadlessBrowser : BrowserLauncher {
    private val http: HttpClient = HttpClient.newBuilder()
        .cookieHandler(CookieManager(null, CookiePolicy.ACCEPT_ALL))
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5))
        .build()

    @Volatile var lastError: Throwable? = null

    override fun launch(url: String, redirectUri: String, session: BrowserSession) {
        thread(isDaemon = true, name = "headless-browser") {
            val landed = try {
                follow(url, redirectUri)
            } catch (e: Exception) {
                lastError = e
                null
            }
            if (landed != null) session.onRedirect(landed) else session.onClosed()
        }
    }

    /** Follows [start] to the URL that begins with [redirectUri]; null if the journey ends elsewhere. */
    fun follow(start: String, redirectUri: String): String? {
        var next = URI(start)
        var form: String? = null // a POST body, for the sign-out form
        repeat(25) {
            if (next.toString().startsWith(redirectUri)) return next.toString()
            val builder = HttpRequest.newBuilder(next)
            val request = if (form != null) {
                builder.header("content-type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build()
            } else {
                builder.GET().build()
            }
            val res = http.send(request, HttpResponse.BodyHandlers.ofString())
            val location = res.headers().firstValue("location").orElse(null)
            when {
                res.statusCode() in 300..399 && location != null -> {
                    next = if (location.startsWith(redirectUri)) URI(location) else next.resolve(location)
                    form = null
                }
                res.statusCode() == 200 && "op.logoutForm" in res.body() -> {
                    val (action, body) = logoutForm(res.body())
                    next = next.resolve(action)
                    form = body
                }
                else -> {
                    lastError = IllegalStateException("browser stopped at ${res.statusCode()} $next")
                    return null
                }
            }
        }
        error("too many redirects")
    }

    /** Logto's sign-out confirmation: the action and the urlencoded hidden inputs of `op.logoutForm`. */
    private fun logoutForm(html: String): Pair<String, String> {
        val form = Regex("<form[^>]*id=\"op.logoutForm\"[^>]*>(.*?)</form>", RegexOption.DOT_MATCHES_ALL).find(html)
            ?: error("no logout form")
        val action = Regex("action=\"([^\"]+)\"").find(form.value)!!.groupValues[1]
        val inputs = Regex("<input[^>]*>").findAll(form.groupValues[1]).mapNotNull { input ->
            val name = Regex("name=\"([^\"]*)\"").find(input.value)?.groupValues?.get(1) ?: return@mapNotNull null
            val value = Regex("value=\"([^\"]*)\"").find(input.value)?.groupValues?.get(1) ?: ""
            name to value
        }.toList()
        val body = inputs.joinToString("&") { (k, v) ->
            "${URLEncoder.encode(k, Charsets.UTF_8)}=${URLEncoder.encode(v, Charsets.UTF_8)}"
        }
        return action to body
    }
}

/** The host storage of the tests: a thread-safe map. */
open class MemoryStorage : Storage {
    val values = ConcurrentHashMap<String, String>()
    override fun get(key: String): String? = values[key]
    override fun set(key: String, value: String) {
        values[key] = value
    }
    override fun remove(key: String) {
        values.remove(key)
    }
    override fun sharedId(): String? = null
    override fun lock(key: String) {}
    override fun unlock(key: String) {}
}

/** A storage whose writes (or reads) fail, with the binding's own exception or an arbitrary one. */
class FailingStorage(private val failReads: Boolean = false, private val unexpected: Boolean = false) : MemoryStorage() {
    private fun fail(): Nothing =
        if (unexpected) throw IllegalStateException("keystore locked") else throw StorageException.Failed("disk full")

    override fun get(key: String): String? = if (failReads) fail() else super.get(key)
    override fun set(key: String, value: String) = fail()
}

/** Runs [block] and returns the [T] it throws; fails on anything else. */
suspend inline fun <reified T : Throwable> assertThrowsLogto(block: suspend () -> Any?): T {
    try {
        block()
    } catch (e: Throwable) {
        if (e is T) return e
        throw AssertionError("expected ${T::class.qualifiedName}, got $e", e)
    }
    throw AssertionError("expected ${T::class.qualifiedName}, nothing was thrown")
}
