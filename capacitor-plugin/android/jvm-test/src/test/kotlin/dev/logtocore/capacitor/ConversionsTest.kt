package dev.logtocore.capacitor

import dev.logtocore.PlatformErrors
import dev.logtocore.ffi.DirectSignIn
import dev.logtocore.ffi.DirectSignInMethod
import dev.logtocore.ffi.ExtraParam
import dev.logtocore.ffi.FirstScreen
import dev.logtocore.ffi.Identifier
import dev.logtocore.ffi.LogtoException
import dev.logtocore.ffi.Prompt
import dev.logtocore.ffi.defaultLogtoConfig
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertSame
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** The conversions between the bridge and the Kotlin layer (no IdP, the real core for parsing and defaults). */
class ConversionsTest {
    @Test
    fun `getOidcConfig answers camelCase keys and leaves absent members out`() {
        val config = dev.logtocore.ffi.OidcConfig(
            issuer = "https://a.logto.app/oidc",
            authorizationEndpoint = "https://a.logto.app/oidc/auth",
            tokenEndpoint = "https://a.logto.app/oidc/token",
            jwksUri = "https://a.logto.app/oidc/jwks",
            userinfoEndpoint = "https://a.logto.app/oidc/me",
            endSessionEndpoint = null,
            revocationEndpoint = null,
            codeChallengeMethodsSupported = listOf("S256"),
            idTokenSigningAlgValuesSupported = null,
            authorizationResponseIssParameterSupported = true,
        )
        val json = oidcConfigJson(config)
        assertEquals("https://a.logto.app/oidc/token", json.getString("tokenEndpoint"))
        assertEquals("S256", json.getJSONArray("codeChallengeMethodsSupported").getString(0))
        assertEquals(true, json.getBoolean("authorizationResponseIssParameterSupported"))
        assertEquals(false, json.has("endSessionEndpoint"))
        assertEquals(7, json.length())
    }

    @Test
    fun `config keeps the core's defaults for what JavaScript did not set`() {
        val defaults = defaultLogtoConfig("https://a.logto.app", "app")
        val plain = NativeLogtoConfig("https://a.logto.app", "app", null, null, null, true).toLogtoConfig()
        assertEquals(defaults, plain)
        val custom = NativeLogtoConfig(
            "https://a.logto.app", "app", listOf("email"), listOf("https://api"), listOf("login", "consent"), false,
        ).toLogtoConfig()
        assertEquals(listOf("email"), custom.scopes)
        assertEquals(listOf("https://api"), custom.resources)
        assertEquals(listOf(Prompt.LOGIN, Prompt.CONSENT), custom.prompt)
        assertFalse(custom.includeReservedScopes)
        assertEquals(defaults.clockToleranceSecs, custom.clockToleranceSecs)
    }

    @Test
    fun `sign-in request maps every member`() {
        val options = SignInRequest(
            "com.example.app://callback", listOf("login"), "identifier:register", listOf("phone", "email"),
            "a@b.c", dev.logtocore.capacitor.DirectSignIn("sso", "conn"), linkedMapOf("z" to "1", "a" to "2"),
        ).toSignInOptions()
        assertEquals("com.example.app://callback", options.redirectUri)
        assertEquals(listOf(Prompt.LOGIN), options.prompt)
        assertEquals(FirstScreen.IDENTIFIER_REGISTER, options.firstScreen)
        assertEquals(listOf(Identifier.PHONE, Identifier.EMAIL), options.identifiers)
        assertEquals("a@b.c", options.loginHint)
        assertEquals(DirectSignIn(DirectSignInMethod.SSO, "conn"), options.directSignIn)
        assertEquals(listOf(ExtraParam("z", "1"), ExtraParam("a", "2")), options.extraParams)

        val legacy = SignInRequest("x://cb", null, "signIn", null, null, null, emptyMap()).toSignInOptions()
        assertEquals(FirstScreen.SIGN_IN, legacy.firstScreen)
        assertNull(legacy.prompt)
        assertEquals(emptyList<Identifier>(), legacy.identifiers)
    }

    @Test
    fun `unknown sign-in values are invalid_config`() = runBlocking<Unit> {
        val base = SignInRequest("x://cb", null, null, null, null, null, emptyMap())
        for (request in listOf(
            base.copy(identifiers = listOf("fax")),
            base.copy(prompt = listOf("always")),
            base.copy(firstScreen = "welcome"),
        )) {
            expectBridgeError("invalid_config") { bridged { request.toSignInOptions() } }
        }
    }

    @Test
    fun `errors map to the bridge's codes, safe messages and OAuth data`() {
        val oidc = LogtoException.Oidc("oidc.invalid_grant", "The server returned invalid_grant", "invalid_grant", "gone", 400u)
        val mapped = oidc.toBridgeException()
        assertEquals("oidc.invalid_grant", mapped.code)
        assertEquals("The server returned invalid_grant", mapped.message)
        assertEquals(mapOf("error" to "invalid_grant", "errorDescription" to "gone"), mapped.data)
        assertSame(oidc, mapped.cause)

        val callback = LogtoException.CallbackErrorFound("callback_uri_verification.error_found", "m", "access_denied", null)
        assertEquals(mapOf("error" to "access_denied"), callback.toBridgeException().data)

        assertEquals("timeout", PlatformErrors.timeout().toBridgeException().code)
        assertNull(PlatformErrors.timeout().toBridgeException().data)
        val internal = IllegalStateException("token=secret").toBridgeException()
        assertEquals("internal", internal.code)
        assertFalse("secret" in internal.message, "messages of other exceptions are not forwarded")
        val bridge = LogtoBridgeException("invalid_config", "x")
        assertSame(bridge, bridge.toBridgeException())
        assertThrows(CancellationException::class.java) {
            runBlocking { bridged { throw CancellationException("cancelled") } }
        }
    }

    @Test
    fun `claims keep the token's names and make a single audience a string`() {
        val single = claimsJson("""{"sub":"u","aud":["app"],"picture":null,"custom":{"x":1}}""")
        assertEquals("app", single.getString("aud"))
        assertTrue(single.isNull("picture"))
        assertEquals(1, single.getJSONObject("custom").getInt("x"))
        val many = claimsJson("""{"aud":["a","b"]}""")
        assertEquals(2, many.getJSONArray("aud").length())
        assertEquals("a", claimsJson("""{"aud":"a"}""").getString("aud"))
    }

    @Test
    fun `redirects match on scheme, authority and path only`() {
        val redirect = "com.example.app://callback"
        assertTrue(sameRedirect("com.example.app://callback?code=1&state=2", redirect))
        assertTrue(sameRedirect("COM.EXAMPLE.APP://Callback?code=1", redirect))
        assertTrue(sameRedirect("com.example.app://callback/#frag", redirect))
        assertFalse(sameRedirect("com.example.app://callback/sign-out?state=1", redirect))
        assertFalse(sameRedirect("com.example.app://callbackx?code=1", redirect))
        assertFalse(sameRedirect("com.other.app://callback?code=1", redirect))
        assertTrue(sameRedirect("https://app.example.com/cb?code=1", "https://app.example.com/cb"))
        assertFalse(sameRedirect("https://app.example.com/CB?code=1", "https://app.example.com/cb"))
    }

    @Test
    fun `pending sign-in markers round-trip and ignore garbage`() {
        val marker = PendingSignIn("app", "com.example.app://callback", 1234L)
        assertEquals(marker, PendingSignIn.fromJson(marker.toJson()))
        assertNull(PendingSignIn.fromJson(null))
        assertNull(PendingSignIn.fromJson("not json"))
        assertNull(PendingSignIn.fromJson(JSONObject().put("appId", "a").toString()))
    }
}
