package dev.logtocore.android

import android.security.keystore.KeyGenParameterSpec
import java.security.AlgorithmParameters
import java.security.Key
import java.security.KeyStoreSpi
import java.security.Provider
import java.security.SecureRandom
import java.security.Security
import java.security.cert.Certificate
import java.security.spec.AlgorithmParameterSpec
import java.util.Collections
import java.util.Date
import java.util.Enumeration
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import javax.crypto.Cipher
import javax.crypto.CipherSpi
import javax.crypto.KeyGeneratorSpi
import javax.crypto.SecretKey
import javax.crypto.spec.SecretKeySpec

/**
 * The Android Keystore as a JCA provider named "AndroidKeyStore" (Robolectric has none): a `KeyStore` of that type
 * and an AES `KeyGenerator` taking the real [KeyGenParameterSpec], backed by software keys, plus an
 * `AES/GCM/NoPadding` cipher that forwards to the JDK's. Each entry point can be told to fail the way devices fail
 * ([Faults]), so that the production code — [KeystoreKeys], [KeystoreStorage] — runs unchanged against it.
 */
object FakeAndroidKeyStore {
    val keys = ConcurrentHashMap<String, SecretKey>()
    val generated = AtomicInteger()

    /** Failures to throw, each once, at the entry point named. */
    object Faults {
        @Volatile var onGetKey: (() -> Exception)? = null
        @Volatile var onCipherInit: (() -> Exception)? = null
        @Volatile var onDoFinal: (() -> RuntimeException)? = null

        /** When set, the first key generation waits (up to 1 s) for another thread to look the key up meanwhile. */
        @Volatile var raceGeneration: CountDownLatch? = null

        fun clear() {
            onGetKey = null
            onCipherInit = null
            onDoFinal = null
            raceGeneration = null
        }
    }

    private val provider = object : Provider("AndroidKeyStore", "1.0", "test double of the Android Keystore") {
        init {
            put("KeyStore.AndroidKeyStore", Spi::class.java.name)
            put("KeyGenerator.AES", Generator::class.java.name)
            put("Cipher.AES/GCM/NoPadding", GcmCipher::class.java.name)
        }
    }

    /** Installs the provider (idempotent) and forgets every key and fault. */
    fun install() {
        if (Security.getProvider("AndroidKeyStore") == null) Security.addProvider(provider)
        keys.clear()
        generated.set(0)
        Faults.clear()
    }

    /** The cipher of this provider, as the Android Keystore hands it out for its keys. */
    fun cipher(): Cipher = Cipher.getInstance("AES/GCM/NoPadding", provider)

    class Spi : KeyStoreSpi() {
        override fun engineGetKey(alias: String, password: CharArray?): Key? {
            Faults.raceGeneration?.countDown()
            Faults.onGetKey?.let { fault -> Faults.onGetKey = null; throw fault() }
            return keys[alias]
        }

        override fun engineDeleteEntry(alias: String) {
            keys.remove(alias)
        }

        override fun engineContainsAlias(alias: String) = keys.containsKey(alias)
        override fun engineAliases(): Enumeration<String> = Collections.enumeration(keys.keys.toList())
        override fun engineSize() = keys.size
        override fun engineLoad(stream: java.io.InputStream?, password: CharArray?) = Unit
        override fun engineStore(stream: java.io.OutputStream?, password: CharArray?) = Unit
        override fun engineGetCertificateChain(alias: String?): Array<Certificate>? = null
        override fun engineGetCertificate(alias: String?): Certificate? = null
        override fun engineGetCreationDate(alias: String?): Date? = null
        override fun engineSetKeyEntry(alias: String?, key: Key?, password: CharArray?, chain: Array<out Certificate>?) =
            throw UnsupportedOperationException()
        override fun engineSetKeyEntry(alias: String?, key: ByteArray?, chain: Array<out Certificate>?) =
            throw UnsupportedOperationException()
        override fun engineSetCertificateEntry(alias: String?, cert: Certificate?) = throw UnsupportedOperationException()
        override fun engineIsKeyEntry(alias: String?) = keys.containsKey(alias)
        override fun engineIsCertificateEntry(alias: String?) = false
        override fun engineGetCertificateAlias(cert: Certificate?): String? = null
    }

    class Generator : KeyGeneratorSpi() {
        private var spec: KeyGenParameterSpec? = null

        override fun engineInit(params: AlgorithmParameterSpec?, random: SecureRandom?) {
            spec = params as? KeyGenParameterSpec ?: throw IllegalArgumentException("KeyGenParameterSpec required")
        }

        override fun engineInit(random: SecureRandom?) = throw UnsupportedOperationException("spec required")
        override fun engineInit(keysize: Int, random: SecureRandom?) = throw UnsupportedOperationException("spec required")

        override fun engineGenerateKey(): SecretKey {
            val spec = checkNotNull(spec)
            Faults.raceGeneration?.await(1, TimeUnit.SECONDS)
            val bytes = ByteArray(spec.keySize / 8).also { SecureRandom().nextBytes(it) }
            val key = SecretKeySpec(bytes, "AES")
            keys[spec.keystoreAlias] = key
            generated.incrementAndGet()
            return key
        }
    }

    /** The JDK's AES-GCM, with the faults of [Faults] at `init` and `doFinal`. */
    class GcmCipher : CipherSpi() {
        private val inner: Cipher = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE")

        private fun initFault() {
            Faults.onCipherInit?.let { fault -> Faults.onCipherInit = null; throw fault() }
        }

        private fun finalFault() {
            Faults.onDoFinal?.let { fault -> Faults.onDoFinal = null; throw fault() }
        }

        override fun engineInit(opmode: Int, key: Key, random: SecureRandom?) {
            initFault()
            inner.init(opmode, key, random ?: SecureRandom())
        }

        override fun engineInit(opmode: Int, key: Key, params: AlgorithmParameterSpec?, random: SecureRandom?) {
            initFault()
            inner.init(opmode, key, params, random ?: SecureRandom())
        }

        override fun engineInit(opmode: Int, key: Key, params: AlgorithmParameters?, random: SecureRandom?) {
            initFault()
            inner.init(opmode, key, params, random ?: SecureRandom())
        }

        override fun engineUpdateAAD(src: ByteArray, offset: Int, len: Int) = inner.updateAAD(src, offset, len)
        override fun engineSetMode(mode: String?) = Unit
        override fun engineSetPadding(padding: String?) = Unit
        override fun engineGetBlockSize() = inner.blockSize
        override fun engineGetOutputSize(inputLen: Int) = inner.getOutputSize(inputLen)
        override fun engineGetIV(): ByteArray? = inner.iv
        override fun engineGetParameters(): AlgorithmParameters? = inner.parameters
        override fun engineUpdate(input: ByteArray, inputOffset: Int, inputLen: Int): ByteArray? =
            inner.update(input, inputOffset, inputLen)
        override fun engineUpdate(input: ByteArray, inputOffset: Int, inputLen: Int, output: ByteArray, outputOffset: Int) =
            inner.update(input, inputOffset, inputLen, output, outputOffset)

        override fun engineDoFinal(input: ByteArray?, inputOffset: Int, inputLen: Int): ByteArray {
            finalFault()
            return inner.doFinal(input ?: ByteArray(0), inputOffset, inputLen)
        }

        override fun engineDoFinal(input: ByteArray?, inputOffset: Int, inputLen: Int, output: ByteArray, outputOffset: Int): Int {
            finalFault()
            return inner.doFinal(input ?: ByteArray(0), inputOffset, inputLen, output, outputOffset)
        }
    }
}
