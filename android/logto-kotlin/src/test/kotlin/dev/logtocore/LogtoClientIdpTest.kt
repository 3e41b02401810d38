package dev.logtocore

import dev.logtocore.ffi.AuthStateEvent
import dev.logtocore.ffi.LogtoException
import dev.logtocore.ffi.organizationsScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.util.concurrent.CopyOnWriteArrayList

/** The whole session lifecycle through the Kotlin layer against the dev IdP. */
class LogtoClientIdpTest {
    /**
     * A coroutine cancelled mid-refresh (the screen was left; `withTimeout`) after the request reached the IdP, which
     * has rotated the refresh token and holds its answer: the core's own task stores the rotated token, so the next
     * call succeeds and the IdP never sees a refresh token presented twice.
     */
    @Test
    fun `a coroutine cancelled mid-refresh loses nothing and causes no refresh-token reuse`() = runBlocking<Unit> {
        client().use { client ->
            client.signIn(signInOptions("alice"), HeadlessBrowser())
            val before = client.getRefreshToken()
            DevIdp.reset()
            DevIdp.dev("faults", """{"token": {"grant_type": "refresh_token", "delay_after_ms": 1000, "count": 1}}""")
            val cancelled = runCatching {
                withTimeout(300) { client.getAccessToken(API_RESOURCE, forceRefresh = true) }
            }.exceptionOrNull()
            assertTrue(cancelled is TimeoutCancellationException, "the call was cancelled: $cancelled")
            DevIdp.awaitRefreshes(1)
            var rotated = client.getRefreshToken()
            val deadline = System.currentTimeMillis() + 5_000
            while (rotated == before && System.currentTimeMillis() < deadline) {
                delay(20)
                rotated = client.getRefreshToken()
            }
            assertNotEquals(before, rotated, "the rotated refresh token was stored despite the cancellation")

            // The next refresh presents the rotated token. (Not a cached-token check: the IdP's access tokens live 2 s
            // and the delayed answer used up one of them, so on a loaded machine the cached one may already be stale.)
            client.getAccessToken(API_RESOURCE, forceRefresh = true)
            assertEquals(2, DevIdp.countGrant("refresh_token"))
            assertEquals(0, DevIdp.refreshTokenReuses(), "no refresh token was presented twice")
            assertTrue(client.isAuthenticated())
        }
    }

    private fun client(vararg scopes: String, storage: MemoryStorage = MemoryStorage()) =
        LogtoClient(DevIdp.config(*scopes), storage)

    @Test
    fun `sign in, read claims, get a resource token, fetch user info`() = runBlocking<Unit> {
        client().use { client ->
            assertEquals(AuthState.UNKNOWN, client.authState.value)
            assertFalse(client.isAuthenticated())
            assertEquals(AuthState.SIGNED_OUT, client.authState.value)

            client.signIn(signInOptions("alice"), HeadlessBrowser())

            assertTrue(client.isAuthenticated())
            assertEquals(AuthState.SIGNED_IN, client.authState.value)
            val claims = client.getIdTokenClaims()
            assertEquals("user_alice", claims.sub)
            assertEquals("Alice Example", claims.name)
            assertEquals("alice", claims.username)
            assertEquals(listOf(APP_ID), claims.aud)
            assertEquals("${DevIdp.endpoint}/oidc", claims.iss)
            assertTrue("\"sub\":\"user_alice\"" in claims.rawJson, claims.rawJson)
            assertTrue(claims.extraJson.startsWith("{"), claims.extraJson)
            assertNotNull(client.getIdToken())
            assertNotNull(client.getRefreshToken())

            val token = client.getAccessToken(API_RESOURCE)
            assertEquals(token, client.getAccessToken(API_RESOURCE), "cached")
            val access = client.getAccessTokenClaims(API_RESOURCE)
            assertEquals(listOf(API_RESOURCE), access.aud)
            assertEquals("user_alice", access.sub)
            assertTrue(API_RESOURCE in access.rawJson)

            val info = client.fetchUserInfo()
            assertEquals("user_alice", info.sub)
            assertEquals("Alice Example", info.name)
        }
    }

    @Test
    fun `refresh after expiry with 50 concurrent coroutines sends exactly one refresh request`() = runBlocking<Unit> {
        client().use { client ->
            client.signIn(signInOptions("alice"), HeadlessBrowser())
            val first = client.getAccessToken(API_RESOURCE)
            delay(2_500) // the dev IdP's access tokens live 2 s; the expiry margin is 0
            DevIdp.reset()
            val tokens = coroutineScope {
                (1..50).map { async(Dispatchers.IO) { client.getAccessToken(API_RESOURCE) } }.awaitAll()
            }
            assertEquals(1, tokens.toSet().size, "every caller got the same token")
            assertNotEquals(first, tokens.first(), "the token was refreshed")
            assertEquals(1, DevIdp.countGrant("refresh_token"), DevIdp.requests())
            assertEquals(AuthState.SIGNED_IN, client.authState.value)
        }
    }

    @Test
    fun `auth state events are a flow`() = runBlocking<Unit> {
        client().use { client ->
            val events = CopyOnWriteArrayList<AuthStateEvent>()
            val collector = launch(Dispatchers.Default, start = CoroutineStart.UNDISPATCHED) {
                client.events.collect { events += it }
            }
            client.signIn(signInOptions("alice"), HeadlessBrowser())
            client.getAccessToken(API_RESOURCE, forceRefresh = true)
            client.signOut()
            repeat(50) { if (events.size < 3) delay(20) }
            collector.cancel()
            assertEquals(listOf(AuthStateEvent.SIGNED_IN, AuthStateEvent.TOKENS_REFRESHED, AuthStateEvent.SIGNED_OUT), events)
            assertEquals(AuthState.SIGNED_OUT, client.authState.value)
        }
    }

    @Test
    fun `sign out ends the session locally and at the IdP`() = runBlocking<Unit> {
        client().use { client ->
            val browser = HeadlessBrowser()
            client.signIn(signInOptions("alice"), browser)
            val refreshToken = client.getRefreshToken()!!

            val endSession = client.signOut(POST_LOGOUT_URI, browser)

            assertTrue(endSession.startsWith("${DevIdp.endpoint}/oidc/session/end?"), endSession)
            assertTrue("post_logout_redirect_uri=" in endSession)
            assertFalse(client.isAuthenticated())
            assertEquals(AuthState.SIGNED_OUT, client.authState.value)
            assertEquals(null, client.getRefreshToken())
            DevIdp.awaitRevoked(refreshToken)
            val (status, body) = DevIdp.refreshDirectly(refreshToken)
            assertEquals(400, status, body)
            assertTrue("invalid_grant" in body, body)
            val e = assertThrowsLogto<LogtoException.NotAuthenticated> { client.getAccessToken(API_RESOURCE) }
            assertEquals("not_authenticated", e.code)
        }
    }

    @Test
    fun `organization tokens for a member, access_denied for a non-member`() = runBlocking<Unit> {
        client(organizationsScope()).use { alice ->
            alice.signIn(signInOptions("alice"), HeadlessBrowser())
            val claims = alice.getOrganizationTokenClaims("org-1")
            assertTrue("urn:logto:organization:org-1" in claims.rawJson, claims.rawJson)
            assertEquals(listOf("urn:logto:organization:org-1"), claims.aud)
        }
        client(organizationsScope()).use { bob ->
            bob.signIn(signInOptions("bob"), HeadlessBrowser())
            val e = assertThrowsLogto<LogtoException.Oidc> { bob.getOrganizationToken("org-1") }
            assertEquals("oidc.access_denied", e.code)
            assertEquals("access_denied", e.error)
            assertEquals(403.toUShort(), e.status)
            assertTrue(bob.isAuthenticated(), "a refused organization token does not end the session")
        }
    }
}
