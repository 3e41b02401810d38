package dev.logtocore

import dev.logtocore.ffi.LogtoException
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

/** Errors raised by the platform layers rather than by the core. */
object PlatformErrors {
    /** Codes of the platform errors the core has no variant for (shared with the Capacitor plugin). */
    const val SIGN_IN_IN_PROGRESS = "sign_in_in_progress"
    const val BROWSER_UNAVAILABLE = "browser_unavailable"

    /** `user_cancelled`, built by the core so code and message match every other platform. */
    fun userCancelled(): LogtoException = userCancelledError()

    fun signInInProgress(): LogtoException =
        LogtoException.Other(SIGN_IN_IN_PROGRESS, "Another sign-in or sign-out is in progress.")

    fun browserUnavailable(cause: Throwable? = null): LogtoException =
        LogtoException.Other(BROWSER_UNAVAILABLE, "No browser is available to sign in.").also {
            if (cause != null) it.initCause(cause)
        }
}
