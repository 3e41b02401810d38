package dev.logtocore.capacitor

import org.json.JSONArray
import org.json.JSONObject

// Typed requests of the LogtoNative bridge (src/definitions.ts in the npm
// package is the source of truth) and their parsing from the call's JSON.
// Pure Kotlin + org.json, so the parsing can be unit-tested on the JVM.

/** `NativeLogtoConfig`. */
data class NativeLogtoConfig(
    val endpoint: String,
    val appId: String,
    val scopes: List<String>?,
    val resources: List<String>?,
    /** `none` / `consent` / `login`; null = the core's default (`consent`). */
    val prompt: List<String>?,
    val includeReservedScopes: Boolean,
)

/** `AndroidBrowserOptions`. */
data class AndroidBrowserOptions(
    /** ARGB colour, or null for the browser's default. */
    val toolbarColor: Int?,
    val showTitle: Boolean,
)

/** `ConfigureOptions` (the iOS options are ignored on Android). */
data class ConfigureRequest(
    val config: NativeLogtoConfig,
    val android: AndroidBrowserOptions,
    /** 0 = no timeout. */
    val signInTimeoutMs: Long,
)

/** `DirectSignIn`. */
data class DirectSignIn(val method: String, val target: String)

/** `SignInRequest` (`postRedirectUri` is web only and not parsed). */
data class SignInRequest(
    val redirectUri: String,
    val prompt: List<String>?,
    val firstScreen: String?,
    val identifiers: List<String>?,
    val loginHint: String?,
    val directSignIn: DirectSignIn?,
    val extraParams: Map<String, String>,
)

/** `AuthStateChangeType`: the `type` of the `authStateChange` event. */
enum class AuthStateChangeType(val wireName: String) {
    SIGNED_IN("signedIn"),
    TOKENS_REFRESHED("tokensRefreshed"),
    SIGNED_OUT("signedOut"),
    SESSION_EXPIRED("sessionExpired"),
}

/**
 * A failure to report to JavaScript: [code] is one of the stable codes of
 * `LogtoNativeErrorCode` (the Rust core's), [message] must be safe to show
 * (no tokens, codes or personal data), [data] is optional extra JSON (for
 * `oidc.*` and `callback_uri_verification.error_found`: `error`,
 * `errorDescription`).
 */
class LogtoBridgeException(
    val code: String,
    override val message: String,
    val data: Map<String, Any?>? = null,
    cause: Throwable? = null,
) : Exception(message, cause)

/**
 * The bridge's `getOidcConfig` answer: the members of `@logto/client`'s `OidcConfigResponse` (camelCase), absent
 * optional members left out rather than null.
 */
fun oidcConfigJson(config: dev.logtocore.ffi.OidcConfig): JSONObject {
    val json = JSONObject()
        .put("issuer", config.issuer)
        .put("authorizationEndpoint", config.authorizationEndpoint)
        .put("tokenEndpoint", config.tokenEndpoint)
        .put("jwksUri", config.jwksUri)
        .put("authorizationResponseIssParameterSupported", config.authorizationResponseIssParameterSupported)
    config.userinfoEndpoint?.let { json.put("userinfoEndpoint", it) }
    config.endSessionEndpoint?.let { json.put("endSessionEndpoint", it) }
    config.revocationEndpoint?.let { json.put("revocationEndpoint", it) }
    config.codeChallengeMethodsSupported?.let { json.put("codeChallengeMethodsSupported", JSONArray(it)) }
    config.idTokenSigningAlgValuesSupported?.let { json.put("idTokenSigningAlgValuesSupported", JSONArray(it)) }
    return json
}

/** Parsing of the bridge arguments. Malformed arguments throw [LogtoBridgeException]. */
object BridgeRequests {
    const val DEFAULT_SIGN_IN_TIMEOUT_MS = 600_000L
    private val PROMPTS = setOf("none", "consent", "login")
    private val DIRECT_SIGN_IN_METHODS = setOf("social", "sso")

    fun configure(data: JSONObject): ConfigureRequest {
        val config = data.optJSONObject("config") ?: throw invalidConfig("config is required.")
        val options = data.optJSONObject("options") ?: JSONObject()
        val endpoint = config.optNonEmptyString("endpoint") ?: throw invalidConfig("endpoint is required.")
        val appId = config.optNonEmptyString("appId") ?: throw invalidConfig("appId is required.")
        val prompt = config.optStringList("prompt")
        if (prompt != null && !PROMPTS.containsAll(prompt)) {
            throw invalidConfig("prompt must be none, consent or login.")
        }
        val android = options.optJSONObject("android") ?: JSONObject()
        val timeout = if (options.has("signInTimeoutMs") && !options.isNull("signInTimeoutMs")) {
            options.optLong("signInTimeoutMs", -1L)
        } else {
            DEFAULT_SIGN_IN_TIMEOUT_MS
        }
        if (timeout < 0) throw invalidConfig("signInTimeoutMs must be a non-negative number.")
        return ConfigureRequest(
            config = NativeLogtoConfig(
                endpoint = endpoint,
                appId = appId,
                scopes = config.optStringList("scopes"),
                resources = config.optStringList("resources"),
                prompt = prompt,
                includeReservedScopes = config.optBoolean("includeReservedScopes", true),
            ),
            android = AndroidBrowserOptions(
                toolbarColor = android.optNonEmptyString("toolbarColor")?.let(::parseColor),
                showTitle = android.optBoolean("showTitle", false),
            ),
            signInTimeoutMs = timeout,
        )
    }

    fun signIn(data: JSONObject): SignInRequest {
        val redirectUri = data.optNonEmptyString("redirectUri") ?: throw malformed("redirectUri is required.")
        val direct = data.optJSONObject("directSignIn")?.let {
            val method = it.optNonEmptyString("method")
            val target = it.optNonEmptyString("target")
            if (method == null || method !in DIRECT_SIGN_IN_METHODS || target == null) {
                throw malformed("directSignIn needs method social|sso and a target.")
            }
            DirectSignIn(method, target)
        }
        val extra = data.optJSONObject("extraParams")
        val extraNames = extra?.names()
        val extraParams: Map<String, String> = buildMap {
            if (extra != null && extraNames != null) {
                for (index in 0 until extraNames.length()) {
                    val name = extraNames.getString(index)
                    put(name, extra.optString(name))
                }
            }
        }
        return SignInRequest(
            redirectUri = redirectUri,
            prompt = data.optStringList("prompt"),
            firstScreen = data.optNonEmptyString("firstScreen"),
            identifiers = data.optStringList("identifiers"),
            loginHint = data.optNonEmptyString("loginHint"),
            directSignIn = direct,
            extraParams = extraParams,
        )
    }

    fun optionalString(data: JSONObject, key: String): String? = data.optNonEmptyString(key)

    fun requiredString(data: JSONObject, key: String): String =
        data.optNonEmptyString(key) ?: throw malformed("$key is required.")

    /** `#RRGGBB` or `#AARRGGBB` → ARGB int. */
    fun parseColor(value: String): Int {
        val hex = value.removePrefix("#")
        val argb = when (hex.length) {
            6 -> hex.toLongOrNull(16)?.or(0xFF000000L)
            8 -> hex.toLongOrNull(16)
            else -> null
        } ?: throw invalidConfig("toolbarColor must be #RRGGBB or #AARRGGBB.")
        return argb.toInt()
    }

    private fun invalidConfig(message: String) = LogtoBridgeException("invalid_config", message)

    private fun malformed(message: String) = LogtoBridgeException("internal", "Malformed bridge call: $message")

    private fun JSONObject.optNonEmptyString(key: String): String? =
        if (has(key) && !isNull(key)) optString(key).takeIf { it.isNotEmpty() } else null

    private fun JSONObject.optStringList(key: String): List<String>? {
        val array: JSONArray = optJSONArray(key) ?: return null
        return (0 until array.length()).map { array.getString(it) }
    }
}
