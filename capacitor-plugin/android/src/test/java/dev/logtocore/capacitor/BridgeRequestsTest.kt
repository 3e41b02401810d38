package dev.logtocore.capacitor

import org.json.JSONObject
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertThrows
import org.junit.Test

// JVM unit tests of the bridge argument parsing (./gradlew test).
// NOT RUN YET: written where no Android SDK / Gradle is available.
class BridgeRequestsTest {
    @Test
    fun configureParsesEveryMember() {
        val request = BridgeRequests.configure(
            JSONObject(
                """{"config":{"endpoint":"https://e","appId":"a","scopes":["email"],"resources":["https://api"],
                   "prompt":["login","consent"],"includeReservedScopes":false},
                   "options":{"android":{"toolbarColor":"#112233","showTitle":true},"signInTimeoutMs":1234,
                   "ios":{"browser":"safariViewController"}}}""",
            ),
        )
        assertEquals(
            NativeLogtoConfig("https://e", "a", listOf("email"), listOf("https://api"), listOf("login", "consent"), false),
            request.config,
        )
        assertEquals(AndroidBrowserOptions(0xFF112233.toInt(), true), request.android)
        assertEquals(1234L, request.signInTimeoutMs)
    }

    @Test
    fun configureDefaults() {
        val request = BridgeRequests.configure(JSONObject("""{"config":{"endpoint":"https://e","appId":"a"},"options":{}}"""))
        assertNull(request.config.prompt)
        assertEquals(true, request.config.includeReservedScopes)
        assertEquals(AndroidBrowserOptions(null, false), request.android)
        assertEquals(BridgeRequests.DEFAULT_SIGN_IN_TIMEOUT_MS, request.signInTimeoutMs)
    }

    @Test
    fun configureRejectsInvalidConfig() {
        for (json in listOf(
            """{"config":{"appId":"a"}}""",
            """{"config":{"endpoint":"https://e"}}""",
            """{"config":{"endpoint":"https://e","appId":"a","prompt":["always"]}}""",
            """{"config":{"endpoint":"https://e","appId":"a"},"options":{"android":{"toolbarColor":"red"}}}""",
            """{"config":{"endpoint":"https://e","appId":"a"},"options":{"signInTimeoutMs":-1}}""",
        )) {
            val error = assertThrows(LogtoBridgeException::class.java) { BridgeRequests.configure(JSONObject(json)) }
            assertEquals(json, "invalid_config", error.code)
        }
    }

    @Test
    fun signInParsesEveryMember() {
        val request = BridgeRequests.signIn(
            JSONObject(
                """{"redirectUri":"com.example.app://callback","prompt":["login"],"firstScreen":"register",
                   "identifiers":["email","phone"],"loginHint":"a@b.c","directSignIn":{"method":"sso","target":"c1"},
                   "extraParams":{"dev_login":"alice"},"postRedirectUri":"ignored"}""",
            ),
        )
        assertEquals(
            SignInRequest(
                "com.example.app://callback", listOf("login"), "register", listOf("email", "phone"), "a@b.c",
                DirectSignIn("sso", "c1"), mapOf("dev_login" to "alice"),
            ),
            request,
        )
    }

    @Test
    fun signInNeedsARedirectUriAndAValidDirectSignIn() {
        assertThrows(LogtoBridgeException::class.java) { BridgeRequests.signIn(JSONObject("{}")) }
        assertThrows(LogtoBridgeException::class.java) {
            BridgeRequests.signIn(JSONObject("""{"redirectUri":"x://cb","directSignIn":{"method":"magic","target":"t"}}"""))
        }
    }
}
