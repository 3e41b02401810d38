package dev.logtocore.android

import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Test
import javax.crypto.KeyGenerator

/** The sealing half of [KeystoreStorage] on the plain JVM (no Robolectric), with software AES keys. */
class AesGcmSealerTest {
    private val sealer = AesGcmSealer()
    private val key = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()
    private val otherKey = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()
    private val value = """{"refresh_token":"r-123","id_token":"eyJ…"}"""

    @Test
    fun sealsAndOpens() {
        val sealed = sealer.seal(key, "logto.tokens", value)
        assertEquals(AesGcmSealer.IV_BYTES + value.toByteArray().size + AesGcmSealer.TAG_BYTES, sealed.size)
        assertFalse("the plaintext is not in the sealed bytes", String(sealed, Charsets.ISO_8859_1).contains("r-123"))
        assertEquals(value, sealer.open(key, "logto.tokens", sealed))
    }

    @Test
    fun everySealHasItsOwnIv() {
        val a = sealer.seal(key, "k", value)
        val b = sealer.seal(key, "k", value)
        assertFalse(a.copyOfRange(0, AesGcmSealer.IV_BYTES).contentEquals(b.copyOfRange(0, AesGcmSealer.IV_BYTES)))
    }

    @Test
    fun anyTamperedByteReadsAsAbsent() {
        val sealed = sealer.seal(key, "k", value)
        for (index in sealed.indices) {
            val tampered = sealed.copyOf().also { it[index] = (it[index].toInt() xor 0x01).toByte() }
            assertNull("byte $index flipped", sealer.open(key, "k", tampered))
        }
    }

    @Test
    fun truncatedReadsAsAbsent() {
        val sealed = sealer.seal(key, "k", value)
        for (length in listOf(0, 1, AesGcmSealer.IV_BYTES, AesGcmSealer.IV_BYTES + AesGcmSealer.TAG_BYTES - 1, sealed.size - 1)) {
            assertNull("$length of ${sealed.size} bytes", sealer.open(key, "k", sealed.copyOf(length)))
        }
    }

    @Test
    fun wrongKeyReadsAsAbsent() {
        assertNull(sealer.open(otherKey, "k", sealer.seal(key, "k", value)))
    }

    @Test
    fun valueMovedToAnotherNameReadsAsAbsent() {
        assertNull(sealer.open(key, "logto.idToken", sealer.seal(key, "logto.tokens", value)))
    }
}
