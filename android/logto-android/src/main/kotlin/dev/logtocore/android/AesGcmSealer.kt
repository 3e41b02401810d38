package dev.logtocore.android

import java.nio.ByteBuffer
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * AES-GCM sealing of one stored value, and nothing Android-specific: `iv (12 bytes) || ciphertext || tag (16
 * bytes)`, with the value's storage key as associated data, so a sealed value cannot be moved to another key. Plain
 * `javax.crypto`, so it is tested on the desktop JVM with a software key.
 *
 * The IV is the one the cipher picks on `init` (the Android Keystore refuses caller-chosen IVs by default; the
 * desktop JCE also draws a random one). [newCipher] is the cipher factory (tests inject faults through it).
 */
class AesGcmSealer(private val newCipher: () -> Cipher = { Cipher.getInstance(TRANSFORMATION) }) {
    /**
     * Seals [value] under [key] for the storage key [name]. Key and provider failures (`InvalidKeyException`,
     * `ProviderException`, …) propagate: the key's owner decides what they mean.
     */
    fun seal(key: SecretKey, name: String, value: String): ByteArray {
        val cipher = newCipher()
        cipher.init(Cipher.ENCRYPT_MODE, key)
        cipher.updateAAD(name.toByteArray(Charsets.UTF_8))
        val iv = cipher.iv
        check(iv != null && iv.size == IV_BYTES) { "unexpected GCM IV" }
        val sealed = cipher.doFinal(value.toByteArray(Charsets.UTF_8))
        return ByteBuffer.allocate(iv.size + sealed.size).put(iv).put(sealed).array()
    }

    /**
     * The value sealed in [sealed], or null if it was not sealed by [key] for [name]: tampered with, truncated,
     * sealed under another key or for another name. Key and provider failures propagate, as in [seal].
     */
    fun open(key: SecretKey, name: String, sealed: ByteArray): String? {
        if (sealed.size < IV_BYTES + TAG_BYTES) return null
        val cipher = newCipher()
        cipher.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(TAG_BYTES * 8, sealed, 0, IV_BYTES))
        cipher.updateAAD(name.toByteArray(Charsets.UTF_8))
        return try {
            String(cipher.doFinal(sealed, IV_BYTES, sealed.size - IV_BYTES), Charsets.UTF_8)
        } catch (e: AEADBadTagException) {
            null
        }
    }

    companion object {
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_BYTES = 12
        const val TAG_BYTES = 16
    }
}
