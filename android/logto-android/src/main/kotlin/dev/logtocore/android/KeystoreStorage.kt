package dev.logtocore.android

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.util.Base64
import dev.logtocore.ffi.Storage
import dev.logtocore.ffi.StorageException
import java.security.GeneralSecurityException
import java.security.KeyStore
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * [Storage] in private SharedPreferences, every value encrypted with AES-256-GCM under a key that lives in the
 * Android Keystore (non-exportable). Namespaced by the Logto app id: preferences file and key alias are
 * `dev.logtocore.<appId>`, so several Logto apps (or SDK instances) never share data.
 *
 * The storage key is bound to each ciphertext as GCM associated data, so a value cannot be moved to another key.
 * A value that no longer decrypts (Keystore key lost, e.g. after a backup was restored on another device) is
 * dropped and reads as absent: the user simply signs in again.
 */
class KeystoreStorage(context: Context, appId: String) : Storage {
    private val name = "dev.logtocore.$appId"
    private val prefs = context.applicationContext.getSharedPreferences(name, Context.MODE_PRIVATE)

    @Synchronized
    private fun secretKey(): SecretKey {
        val keyStore = KeyStore.getInstance(KEYSTORE).apply { load(null) }
        (keyStore.getKey(name, null) as? SecretKey)?.let { return it }
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, KEYSTORE)
        generator.init(
            KeyGenParameterSpec.Builder(name, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .build(),
        )
        return generator.generateKey()
    }

    override fun get(key: String): String? {
        val stored = prefs.getString(key, null) ?: return null
        return try {
            val bytes = Base64.decode(stored, Base64.NO_WRAP)
            val cipher = Cipher.getInstance(TRANSFORMATION)
            cipher.init(Cipher.DECRYPT_MODE, secretKey(), GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES))
            cipher.updateAAD(key.toByteArray(Charsets.UTF_8))
            String(cipher.doFinal(bytes, IV_BYTES, bytes.size - IV_BYTES), Charsets.UTF_8)
        } catch (e: AEADBadTagException) {
            remove(key)
            null
        } catch (e: IllegalArgumentException) { // not Base64 / too short: not ours
            remove(key)
            null
        } catch (e: GeneralSecurityException) {
            throw StorageException.Failed("cannot decrypt: ${e.javaClass.simpleName}")
        }
    }

    override fun set(key: String, value: String) {
        val encoded = try {
            val cipher = Cipher.getInstance(TRANSFORMATION)
            cipher.init(Cipher.ENCRYPT_MODE, secretKey()) // the Keystore picks a fresh random IV
            cipher.updateAAD(key.toByteArray(Charsets.UTF_8))
            val sealed = cipher.iv + cipher.doFinal(value.toByteArray(Charsets.UTF_8))
            Base64.encodeToString(sealed, Base64.NO_WRAP)
        } catch (e: GeneralSecurityException) {
            throw StorageException.Failed("cannot encrypt: ${e.javaClass.simpleName}")
        }
        // commit(): the core needs the write to be durable (and atomic) before it goes on.
        if (!prefs.edit().putString(key, encoded).commit()) throw StorageException.Failed("cannot write preferences")
    }

    /** Two KeystoreStorages of one app id read and write the same preferences: their clients share one engine. */
    override fun sharedId(): String = "keystore:$name"

    /** One process: the engine already refreshes one at a time. (Multi-process apps need a file lock here.) */
    override fun lock(key: String) {}

    override fun unlock(key: String) {}

    override fun remove(key: String) {
        if (!prefs.edit().remove(key).commit()) throw StorageException.Failed("cannot write preferences")
    }

    private companion object {
        const val KEYSTORE = "AndroidKeyStore"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_BYTES = 12
        const val TAG_BITS = 128
    }
}
