package dev.logtocore.android

import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import java.security.InvalidKeyException
import java.security.KeyStore
import java.security.ProviderException
import java.security.UnrecoverableKeyException
import java.util.concurrent.ConcurrentHashMap
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey

/**
 * The non-exportable AES-256 key of one alias in the Android Keystore: created on first use, deleted when the
 * Keystore broke it. [keyStoreType] and [provider] are the Keystore's names ("AndroidKeyStore"); tests register a
 * provider of that name that injects the failures devices produce.
 */
internal class KeystoreKeys(
    private val keyStoreType: String = ANDROID_KEYSTORE,
    private val provider: String = ANDROID_KEYSTORE,
) {
    private fun keyStore(): KeyStore = KeyStore.getInstance(keyStoreType).apply { load(null) }

    /** The key of [alias], created if missing. Throws `UnrecoverableKeyException` when the Keystore broke it. */
    fun getOrCreate(alias: String): SecretKey {
        (keyStore().getKey(alias, null) as? SecretKey)?.let { return it }
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, provider)
        generator.init(
            KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .build(),
        )
        return generator.generateKey()
    }

    fun delete(alias: String) = keyStore().deleteEntry(alias)

    companion object {
        const val ANDROID_KEYSTORE = "AndroidKeyStore"

        private val locks = ConcurrentHashMap<String, Any>()

        /**
         * The lock of [alias], shared by every storage of the process that uses that key: two instances for the same
         * app id must not both create (or both replace) the key, each sealing values the other cannot open.
         */
        fun lockFor(alias: String): Any = locks.computeIfAbsent(alias) { Any() }

        /**
         * Whether [e] means the key itself is gone for good, as devices report it: `UnrecoverableKeyException`
         * (key blob unreadable, e.g. after a Keystore reset), `InvalidKeyException` and its subclass
         * `KeyPermanentlyInvalidatedException` (key invalidated), and `ProviderException` (what several OEM
         * Keystore implementations throw for the same conditions).
         */
        fun isBroken(e: Throwable): Boolean =
            e is UnrecoverableKeyException || e is InvalidKeyException || e is ProviderException
    }
}
