package dev.logtocore

import dev.logtocore.ffi.LogtoException
import dev.logtocore.ffi.browserUnavailableError
import dev.logtocore.ffi.signInInProgressError
import dev.logtocore.ffi.timeoutError
import dev.logtocore.ffi.userCancelledError

/**
 * The stable error code of any [LogtoException] (`not_authenticated`, `oidc.invalid_grant`, `user_cancelled`, …);
 * the same strings as Logto's JS SDK where they exist.
 */
val LogtoException.code: String
    get() = when (this) {
        is LogtoException.InvalidConfig -> code
        is LogtoException.SignInSessionNotFound -> code
        is LogtoException.SignInSessionInvalid -> code
        is LogtoException.CallbackUriVerification -> code
        is LogtoException.CallbackErrorFound -> code
        is LogtoException.IdTokenInvalid -> code
        is LogtoException.IdTokenInvalidIat -> code
        is LogtoException.NotAuthenticated -> code
        is LogtoException.UserCancelled -> code
        is LogtoException.SignInInProgress -> code
        is LogtoException.BrowserUnavailable -> code
        is LogtoException.Timeout -> code
        is LogtoException.FetchUserInfoFailed -> code
        is LogtoException.MissingScopeOrganizations -> code
        is LogtoException.Oidc -> code
        is LogtoException.Http -> code
        is LogtoException.Network -> code
        is LogtoException.UnexpectedResponse -> code
        is LogtoException.Storage -> code
        is LogtoException.Internal -> code
        is LogtoException.Other -> code
    }

/** The safe, developer-facing message of any [LogtoException] (never contains tokens or response bodies). */
val LogtoException.errorMessage: String
    get() = when (this) {
        is LogtoException.InvalidConfig -> errorMessage
        is LogtoException.SignInSessionNotFound -> errorMessage
        is LogtoException.SignInSessionInvalid -> errorMessage
        is LogtoException.CallbackUriVerification -> errorMessage
        is LogtoException.CallbackErrorFound -> errorMessage
        is LogtoException.IdTokenInvalid -> errorMessage
        is LogtoException.IdTokenInvalidIat -> errorMessage
        is LogtoException.NotAuthenticated -> errorMessage
        is LogtoException.UserCancelled -> errorMessage
        is LogtoException.SignInInProgress -> errorMessage
        is LogtoException.BrowserUnavailable -> errorMessage
        is LogtoException.Timeout -> errorMessage
        is LogtoException.FetchUserInfoFailed -> errorMessage
        is LogtoException.MissingScopeOrganizations -> errorMessage
        is LogtoException.Oidc -> errorMessage
        is LogtoException.Http -> errorMessage
        is LogtoException.Network -> errorMessage
        is LogtoException.UnexpectedResponse -> errorMessage
        is LogtoException.Storage -> errorMessage
        is LogtoException.Internal -> errorMessage
        is LogtoException.Other -> errorMessage
    }

/**
 * Errors raised by the platform layers rather than by the core. Each is built by the core (its own
 * [LogtoException] subclass), so code and message match every other platform.
 */
object PlatformErrors {
    /** The codes, shared with the Swift layer and the Capacitor plugin. */
    const val USER_CANCELLED = "user_cancelled"
    const val SIGN_IN_IN_PROGRESS = "sign_in_in_progress"
    const val BROWSER_UNAVAILABLE = "browser_unavailable"
    const val TIMEOUT = "timeout"

    /** `user_cancelled` ([LogtoException.UserCancelled]): the user closed the browser. */
    fun userCancelled(): LogtoException = userCancelledError()

    /** `sign_in_in_progress` ([LogtoException.SignInInProgress]): another browser flow is running. */
    fun signInInProgress(): LogtoException = signInInProgressError()

    /** `browser_unavailable` ([LogtoException.BrowserUnavailable]): no browser could be opened. */
    fun browserUnavailable(cause: Throwable? = null): LogtoException =
        browserUnavailableError().also { if (cause != null) it.initCause(cause) }

    /** `timeout` ([LogtoException.Timeout]): the browser flow ran out of time. */
    fun timeout(): LogtoException = timeoutError()
}
