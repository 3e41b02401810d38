package dev.logtocore.capacitor

import dev.logtocore.API_RESOURCE
import dev.logtocore.APP_ID
import dev.logtocore.DevIdp
import dev.logtocore.POST_LOGOUT_URI
import dev.logtocore.ffi.organizationsScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * The Android implementation class end to end: a real sign-in against the dev IdP through the Kotlin bindings and
 * the Rust core, then claims, tokens, user info, events and sign-out, with the arguments parsed from the JSON that
 * JavaScript sends.
 */
class SessionIdpTest {
    @Test
    fun `sign in, claims, access token, user info, refresh, sign out`() = runBlocking<Unit> {
        val platform = FakePlatform()
        val implementation = LogtoNativeImplementation(platform)
        val log = EventLog()
        implementation.setAuthStateListener(log)
        implementation.configure(configureRequest("email"))
        assertFalse(implementation.isAuthenticated())
        assertNull(implementation.getIdToken())

        implementation.signIn(signInRequest("alice"))

        assertTrue(implementation.isAuthenticated())
        assertNull(platform.disk.pendingSignIn, "the cold-start marker is removed once the sign-in settled")
        val claims = implementation.getIdTokenClaims()
        assertEquals("user_alice", claims.getString("sub"))
        assertEquals(APP_ID, claims.getString("aud"), "a single audience is a string, as in @logto/js")
        assertEquals("${DevIdp.endpoint}/oidc", claims.getString("iss"))
        assertEquals("alice", claims.getString("username"))
        assertEquals("alice@example.com", claims.getString("email"))
        assertEquals(true, claims.getBoolean("email_verified"))
        assertTrue(claims.getLong("exp") > claims.getLong("iat"))
        val idToken = implementation.getIdToken()
        assertNotNull(idToken)
        assertEquals(3, idToken!!.split('.').size)
        val refreshToken = implementation.getRefreshToken()
        assertNotNull(refreshToken)

        val token = implementation.getAccessToken(API_RESOURCE, null)
        assertEquals(3, token.split('.').size, "a resource token is a JWT")
        val access = implementation.getAccessTokenClaims(API_RESOURCE)
        assertEquals(API_RESOURCE, access.getString("aud"))
        assertEquals("user_alice", access.getString("sub"))
        assertEquals(APP_ID, access.getString("client_id"))
        val opaque = implementation.getAccessToken(null, null)
        assertNotEquals(token, opaque)

        val info = implementation.fetchUserInfo()
        assertEquals("user_alice", info.getString("sub"))
        assertEquals("Alice Example", info.getString("name"))

        implementation.clearAccessToken()
        assertTrue(implementation.isAuthenticated(), "clearAccessToken keeps the refresh token")

        val current = implementation.getRefreshToken()!! // rotated by the refreshes above
        implementation.signOut(POST_LOGOUT_URI)

        assertFalse(implementation.isAuthenticated())
        assertNull(implementation.getRefreshToken())
        DevIdp.awaitRevoked(current)
        val (status, body) = DevIdp.refreshDirectly(current)
        assertEquals(400, status, body)
        assertTrue("invalid_grant" in body, body)
        expectBridgeError("not_authenticated") { implementation.getIdTokenClaims() }
        expectBridgeError("not_authenticated") { implementation.getAccessToken(API_RESOURCE, null) }

        val events = log.awaitAtLeast(3)
        assertEquals(AuthStateChangeType.SIGNED_IN, events.first(), events.toString())
        assertTrue(AuthStateChangeType.TOKENS_REFRESHED in events, events.toString())
        assertEquals(AuthStateChangeType.SIGNED_OUT, events.last(), events.toString())
        implementation.close()
    }

    @Test
    fun `sign-out without a post-logout URI settles when the browser is closed`() = runBlocking<Unit> {
        val platform = FakePlatform()
        val implementation = LogtoNativeImplementation(platform)
        implementation.configure(configureRequest())
        implementation.signIn(signInRequest())
        val browser = ManualBrowser()
        platform.browser = browser
        val signOut = async(Dispatchers.Default) { implementation.signOut(null) }
        val (url, session) = browser.await()
        assertTrue(url.startsWith("${DevIdp.endpoint}/oidc/session/end?"), url)
        assertFalse(implementation.isAuthenticated(), "the local sign-out happens before the browser opens")
        session.onClosed()
        signOut.await()
        implementation.close()
    }

    @Test
    fun `sign-out closed before its redirect is user_cancelled, after the local sign-out`() = runBlocking<Unit> {
        val platform = FakePlatform()
        val implementation = LogtoNativeImplementation(platform)
        val log = EventLog()
        implementation.setAuthStateListener(log)
        implementation.configure(configureRequest())
        implementation.signIn(signInRequest())
        platform.browser = dev.logtocore.BrowserLauncher { _, _, session -> session.onClosed() }
        expectBridgeError("user_cancelled") { implementation.signOut(POST_LOGOUT_URI) }
        assertFalse(implementation.isAuthenticated())
        assertEquals(listOf(AuthStateChangeType.SIGNED_IN, AuthStateChangeType.SIGNED_OUT), log.awaitAtLeast(2))
        implementation.close()
    }

    @Test
    fun `a rotated-away refresh token expires the session with oidc invalid_grant and sessionExpired`() =
        runBlocking<Unit> {
            val implementation = LogtoNativeImplementation(FakePlatform())
            val log = EventLog()
            implementation.setAuthStateListener(log)
            implementation.configure(configureRequest())
            implementation.signIn(signInRequest())
            // Someone else uses the refresh token: the IdP rotates it, so the stored one is now a reused token.
            val (status, body) = DevIdp.refreshDirectly(implementation.getRefreshToken()!!)
            assertEquals(200, status, body)

            val e = expectBridgeError("oidc.invalid_grant") { implementation.getAccessToken(API_RESOURCE, null) }
            assertEquals("invalid_grant", e.data?.get("error"))
            assertTrue(AuthStateChangeType.SESSION_EXPIRED in log.awaitAtLeast(2), log.events.toString())
            assertFalse(implementation.isAuthenticated())
            implementation.close()
        }

    @Test
    fun `organization token for a member, oidc access_denied with data for a non-member`() = runBlocking<Unit> {
        val alice = LogtoNativeImplementation(FakePlatform())
        alice.configure(configureRequest(organizationsScope()))
        alice.signIn(signInRequest("alice"))
        val claims = alice.getOrganizationTokenClaims("org-1")
        assertEquals("urn:logto:organization:org-1", claims.getString("aud"))
        assertEquals(3, alice.getOrganizationToken("org-1").split('.').size)
        alice.close()

        val bob = LogtoNativeImplementation(FakePlatform())
        bob.configure(configureRequest(organizationsScope()))
        bob.signIn(signInRequest("bob"))
        val e = expectBridgeError("oidc.access_denied") { bob.getOrganizationToken("org-1") }
        assertEquals("access_denied", e.data?.get("error"))
        val json = JSONObject(e.data!!) // what the bridge class sends as the rejection's data
        assertEquals("access_denied", json.getString("error"))
        assertTrue(bob.isAuthenticated())
        bob.close()
    }

    @Test
    fun `errors carry the core's codes`() = runBlocking<Unit> {
        val implementation = LogtoNativeImplementation(FakePlatform())
        expectBridgeError("invalid_config") { implementation.isAuthenticated() } // not configured yet
        expectBridgeError("invalid_config") {
            implementation.configure(configureRequest(endpoint = "http://logto.example.com"))
        }
        implementation.configure(configureRequest())
        expectBridgeError("missing_scope_organizations") { implementation.getOrganizationToken("org-1") }
        expectBridgeError("sign_in_session.not_found") {
            implementation.handleSignInCallback("com.example.app://callback?code=abc&state=xyz")
        }
        // The dev IdP answers an unknown dev_login account with error=access_denied to the redirect URI.
        val e = expectBridgeError("callback_uri_verification.error_found") {
            implementation.signIn(signInRequest("nobody"))
        }
        assertEquals("access_denied", e.data?.get("error"))
        expectBridgeError("invalid_config") {
            implementation.signIn(
                BridgeRequests.signIn(JSONObject("""{"redirectUri":"com.example.app://callback","prompt":["always"]}""")),
            )
        }
        assertFalse(implementation.isAuthenticated())
        implementation.close()
    }

    @Test
    fun `reconfiguring with the same app id keeps the session and applies new options`() = runBlocking<Unit> {
        val platform = FakePlatform()
        val implementation = LogtoNativeImplementation(platform)
        implementation.configure(configureRequest())
        implementation.signIn(signInRequest())
        val sub = implementation.getIdTokenClaims().getString("sub")

        implementation.configure(configureRequest("email", android = JSONObject().put("toolbarColor", "#112233")))
        assertTrue(implementation.isAuthenticated())
        assertEquals(sub, implementation.getIdTokenClaims().getString("sub"))
        implementation.signOut(POST_LOGOUT_URI)
        assertEquals(AndroidBrowserOptions(0xFF112233.toInt(), false), platform.browserOptions.last())

        implementation.configure(configureRequest(appId = "another-app"))
        assertFalse(implementation.isAuthenticated(), "another app id has its own storage")
        implementation.close()
    }
}
