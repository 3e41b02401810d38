package dev.logtocore

import dev.logtocore.ffi.AuthStateEvent
import dev.logtocore.ffi.AuthStateListener
import dev.logtocore.ffi.LogtoCoreClient
import dev.logtocore.ffi.LogtoException
import dev.logtocore.ffi.defaultLogtoConfig
import dev.logtocore.ffi.parsePrompt
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.util.concurrent.atomic.AtomicInteger

/** Each error surfaces as the right Kotlin exception with the right code. */
class ErrorMappingTest {
    @Test
    fun `not_authenticated before any sign-in`() = runBlocking<Unit> {
        LogtoClient(DevIdp.config(), MemoryStorage()).use { client ->
            val e = assertThrowsLogto<LogtoException.NotAuthenticated> { client.getIdTokenClaims() }
            assertEquals("not_authenticated", e.code)
            assertEquals("Not authenticated.", e.errorMessage)
            assertThrowsLogto<LogtoException.NotAuthenticated> { client.getAccessToken(API_RESOURCE) }
        }
    }

    @Test
    fun `platform errors are their own subclasses with the core's code and message`() {
        val cases: List<Triple<LogtoException, Class<*>, Pair<String, String>>> = listOf(
            Triple(PlatformErrors.userCancelled(), LogtoException.UserCancelled::class.java,
                "user_cancelled" to "The user cancelled the action."),
            Triple(PlatformErrors.signInInProgress(), LogtoException.SignInInProgress::class.java,
                "sign_in_in_progress" to "A sign-in is already in progress."),
            Triple(PlatformErrors.browserUnavailable(), LogtoException.BrowserUnavailable::class.java,
                "browser_unavailable" to "No browser is available to sign in."),
            Triple(PlatformErrors.timeout(), LogtoException.Timeout::class.java,
                "timeout" to "The sign-in timed out."),
        )
        for ((error, type, expected) in cases) {
            assertTrue(type.isInstance(error), "$error is not a ${type.simpleName}")
            assertEquals(expected.first, error.code)
            assertEquals(expected.second, error.errorMessage)
        }
        assertEquals(PlatformErrors.TIMEOUT, PlatformErrors.timeout().code)
        val cause = IllegalStateException("no activity")
        assertEquals(cause, PlatformErrors.browserUnavailable(cause).cause)
    }

    @Test
    fun `sign_in_session not_found for an unsolicited callback`() = runBlocking<Unit> {
        LogtoClient(DevIdp.config(), MemoryStorage()).use { client ->
            val e = assertThrowsLogto<LogtoException.SignInSessionNotFound> {
                client.handleSignInCallback("$REDIRECT_URI?code=abc&state=xyz")
            }
            assertEquals("sign_in_session.not_found", e.code)
        }
    }

    @Test
    fun `state_mismatched for a callback of another sign-in`() = runBlocking<Unit> {
        LogtoClient(DevIdp.config(), MemoryStorage()).use { client ->
            val url = client.signInUrl(signInOptions())
            assertTrue(url.startsWith("${DevIdp.endpoint}/oidc/auth?"), url)
            val iss = java.net.URLEncoder.encode("${DevIdp.endpoint}/oidc", Charsets.UTF_8)
            val e = assertThrowsLogto<LogtoException.CallbackUriVerification> {
                client.handleSignInCallback("$REDIRECT_URI?code=abc&state=not-the-state&iss=$iss")
            }
            assertEquals("callback_uri_verification.state_mismatched", e.code)
        }
    }

    @Test
    fun `invalid_config for http to a non-loopback endpoint`() {
        val e = assertThrowsBlocking<LogtoException.InvalidConfig> {
            LogtoClient(defaultLogtoConfig("http://logto.example.com", APP_ID), MemoryStorage())
        }
        assertEquals("invalid_config", e.code)
        assertTrue("http://" in e.errorMessage, e.errorMessage)
        val p = assertThrowsBlocking<LogtoException.InvalidConfig> { parsePrompt("select_account") }
        assertEquals("invalid_config", p.code)
    }

    @Test
    fun `missing_scope_organizations without the organizations scope`() = runBlocking<Unit> {
        LogtoClient(DevIdp.config(), MemoryStorage()).use { client ->
            val e = assertThrowsLogto<LogtoException.MissingScopeOrganizations> { client.getOrganizationToken("org-1") }
            assertEquals("missing_scope_organizations", e.code)
        }
    }

    @Test
    fun `storage errors thrown by the host storage`() = runBlocking<Unit> {
        LogtoClient(DevIdp.config(), FailingStorage()).use { client ->
            val e = assertThrowsLogto<LogtoException.Storage> { client.signInUrl(signInOptions()) }
            assertEquals("storage", e.code)
            assertTrue("disk full" in e.errorMessage, e.errorMessage)
        }
        // Any other exception from the host is a storage error too, never a crash.
        LogtoClient(DevIdp.config(), FailingStorage(failReads = true, unexpected = true)).use { client ->
            val e = assertThrowsLogto<LogtoException.Storage> { client.isAuthenticated() }
            assertEquals("storage", e.code)
            assertTrue("IllegalStateException: keystore locked" in e.errorMessage, e.errorMessage)
        }
    }

    @Test
    fun `a failing storage write keeps the previous session`() = runBlocking<Unit> {
        val storage = object : MemoryStorage() {
            @Volatile var broken = false
            override fun set(key: String, value: String) {
                if (broken) throw IllegalStateException("full") else super.set(key, value)
            }
        }
        LogtoClient(DevIdp.config(), storage).use { client ->
            client.signIn(signInOptions(), HeadlessBrowser())
            storage.broken = true
            assertThrowsLogto<LogtoException.Storage> { client.signInUrl(signInOptions()) }
            assertTrue(client.isAuthenticated())
        }
    }

    @Test
    fun `a throwing auth-state listener does not fail the sign-in`() = runBlocking<Unit> {
        val calls = AtomicInteger()
        LogtoCoreClient(DevIdp.config(), MemoryStorage()).use { core ->
            core.setAuthStateListener(object : AuthStateListener {
                override fun onAuthStateChanged(event: AuthStateEvent) {
                    calls.incrementAndGet()
                    throw IllegalStateException("listener bug")
                }
            })
            val browser = HeadlessBrowser()
            val callback = browser.follow(core.signInUrl(signInOptions()), REDIRECT_URI)!!
            core.handleSignInCallback(callback)
            assertTrue(core.isAuthenticated())
            assertEquals(1, calls.get())
        }
    }

    @Test
    fun `callback error_found when the user denies at the IdP`() = runBlocking<Unit> {
        LogtoClient(DevIdp.config(), MemoryStorage()).use { client ->
            // An unknown dev_login account makes the dev IdP answer error=access_denied to the redirect URI.
            val e = assertThrowsLogto<LogtoException.CallbackErrorFound> {
                client.signIn(signInOptions("nobody"), HeadlessBrowser())
            }
            assertEquals("callback_uri_verification.error_found", e.code)
            assertEquals("access_denied", e.error)
        }
    }
}

inline fun <reified T : Throwable> assertThrowsBlocking(noinline block: () -> Any?): T =
    runBlocking { assertThrowsLogto<T> { block() } }
