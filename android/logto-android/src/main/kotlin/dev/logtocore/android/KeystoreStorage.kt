package dev.logtocore.android

import android.content.Context
import android.content.SharedPreferences
import android.util.Base64
import dev.logtocore.ffi.Storage
import dev.logtocore.ffi.StorageException
import java.security.GeneralSecurityException
import javax.crypto.SecretKey

/**
 * [Storage] in private SharedPreferences, every value sealed by [AesGcmSealer] (AES-256-GCM, the storage key as
 * associated data) under a non-exportable Android Keystore key ([KeystoreKeys]). Namespaced by the Logto app id: the
 * preferences file and the key alias are `dev.logtocore.<appId>`, so several Logto apps (or SDK instances) never
 * share data.
 *
 * - A value that does not open (tampered, truncated, sealed under a lost key) is dropped and reads as absent: the
 *   user simply signs in again.
 * - When the Keystore broke the key (`UnrecoverableKeyException`, `InvalidKeyException` /
 *   `KeyPermanentlyInvalidatedException`, an OEM's `ProviderException`), the storage heals: the key and every value
 *   sealed with it are deleted and a new key is made, so the next sign-in works without clearing app data.
 * - Every operation holds the lock of the key alias ([KeystoreKeys.lockFor]), shared by all instances of the process.
 *
 * Each [Storage] method is one small function here, so methods the core's interface gains later are added alike.
 */
class KeystoreStorage internal constructor(
    context: Context,
    appId: String,
    private val keys: KeystoreKeys,
    private val sealer: AesGcmSealer,
) : Storage {
    constructor(context: Context, appId: String) : this(context, appId, KeystoreKeys(), AesGcmSealer())

    private val alias = "dev.logtocore.$appId"
    private val prefs: SharedPreferences = context.applicationContext.getSharedPreferences(alias, Context.MODE_PRIVATE)
    private val lock = KeystoreKeys.lockFor(alias)

    override fun get(key: String): String? = synchronized(lock) {
        val stored = prefs.getString(key, null) ?: return null
        val sealed = try {
            Base64.decode(stored, Base64.NO_WRAP)
        } catch (e: IllegalArgumentException) { // not Base64: not ours
            null
        }
        // After a heal the old values are gone: nothing to open with the new key.
        val value = sealed?.let { withKey(retryAfterHeal = false, what = "decrypt") { secret -> sealer.open(secret, key, it) } }
        if (value == null && prefs.contains(key)) commit(prefs.edit().remove(key))
        value
    }

    override fun set(key: String, value: String) = synchronized(lock) {
        val sealed = withKey(retryAfterHeal = true, what = "encrypt") { secret -> sealer.seal(secret, key, value) }
            ?: throw StorageException.Failed("cannot encrypt")
        // commit(): the core needs the write to be durable (and atomic) before it goes on.
        commit(prefs.edit().putString(key, Base64.encodeToString(sealed, Base64.NO_WRAP)))
    }

    override fun remove(key: String) = synchronized(lock) { commit(prefs.edit().remove(key)) }

    /** Two KeystoreStorages of one app id read and write the same preferences: their clients share one engine. */
    override fun sharedId(): String = "keystore:$alias"

    /** One process: the engine already refreshes one at a time. (Multi-process apps need a file lock here.) */
    override fun lock(key: String) {}

    override fun unlock(key: String) {}

    /**
     * Runs [operation] with the key. If the Keystore broke the key, heals (deletes the key and the values sealed with
     * it, makes a new key) and, when [retryAfterHeal], runs it once more with the new key; else returns null.
     */
    private fun <T> withKey(retryAfterHeal: Boolean, what: String, operation: (SecretKey) -> T): T? {
        try {
            return operation(keys.getOrCreate(alias))
        } catch (e: Exception) {
            if (!KeystoreKeys.isBroken(e)) throw failure(what, e)
        }
        heal()
        if (!retryAfterHeal) return null
        return try {
            operation(keys.getOrCreate(alias))
        } catch (e: Exception) {
            throw failure(what, e)
        }
    }

    private fun heal() {
        try {
            keys.delete(alias)
        } catch (e: GeneralSecurityException) {
            throw failure("reset the key", e)
        }
        commit(prefs.edit().clear())
    }

    private fun failure(what: String, e: Exception): StorageException =
        if (e is StorageException) e else StorageException.Failed("cannot $what: ${e.javaClass.simpleName}")

    private fun commit(editor: SharedPreferences.Editor) {
        if (!editor.commit()) throw StorageException.Failed("cannot write preferences")
    }
}
