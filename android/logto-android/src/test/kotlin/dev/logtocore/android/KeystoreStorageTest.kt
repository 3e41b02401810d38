package dev.logtocore.android

import android.content.Context
import android.security.keystore.KeyPermanentlyInvalidatedException
import dev.logtocore.ffi.StorageException
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import java.security.InvalidKeyException
import java.security.ProviderException
import java.security.UnrecoverableKeyException
import java.util.concurrent.CountDownLatch
import java.util.concurrent.CyclicBarrier
import kotlin.concurrent.thread

/**
 * [KeystoreStorage] on Robolectric's SharedPreferences with [FakeAndroidKeyStore] standing in for the Keystore:
 * sealing, namespacing, dropping values that do not open, healing from the key failures devices report, and one key
 * per alias across instances.
 */
@RunWith(RobolectricTestRunner::class)
class KeystoreStorageTest {
    private val app get() = RuntimeEnvironment.getApplication()

    @Before
    fun setUp() = FakeAndroidKeyStore.install()

    private fun storage(appId: String = "app-1") =
        KeystoreStorage(app, appId, KeystoreKeys(), AesGcmSealer { FakeAndroidKeyStore.cipher() })

    private fun prefs(appId: String = "app-1") = app.getSharedPreferences("dev.logtocore.$appId", Context.MODE_PRIVATE)

    @Test
    fun storesSealedValuesPerAppId() {
        val storage = storage()
        storage.set("logto.tokens", "refresh-token-123")
        assertEquals("refresh-token-123", storage.get("logto.tokens"))
        val stored = prefs().getString("logto.tokens", null)
        assertNotNull(stored)
        assertFalse("not stored in the clear", stored!!.contains("refresh-token-123"))
        assertEquals("another instance, same app id", "refresh-token-123", storage().get("logto.tokens"))
        assertNull("another app id sees nothing", storage("app-2").get("logto.tokens"))
        storage.remove("logto.tokens")
        assertNull(storage.get("logto.tokens"))
        assertFalse(prefs().contains("logto.tokens"))
        assertEquals(1, FakeAndroidKeyStore.generated.get())
    }

    @Test
    fun tamperedOrForeignValuesReadAsAbsentAndAreDropped() {
        val storage = storage()
        storage.set("a", "value-a")
        val sealed = prefs().getString("a", null)!!
        val tampered = sealed.substring(0, sealed.length - 4) + (if (sealed.endsWith("AAAA")) "BBBB" else "AAAA")
        prefs().edit().putString("a", tampered).putString("b", sealed).putString("c", "not base64 !").commit()
        assertNull(storage.get("a"))
        assertNull("a value moved to another key does not open", storage.get("b"))
        assertNull(storage.get("c"))
        assertFalse(prefs().contains("a") || prefs().contains("b") || prefs().contains("c"))
    }

    /** Reads with a broken key drop everything sealed with it; the next write works with a new key. */
    private fun assertHealsOnRead(fault: () -> Unit) {
        val storage = storage()
        storage.set("logto.tokens", "old-session")
        storage.set("logto.other", "other")
        fault()
        assertNull("a broken key reads as signed out", storage.get("logto.tokens"))
        assertFalse("values sealed with the broken key are gone", prefs().contains("logto.other"))
        storage.set("logto.tokens", "new-session")
        assertEquals("new-session", storage.get("logto.tokens"))
        assertEquals(2, FakeAndroidKeyStore.generated.get())
    }

    @Test
    fun healsFromUnrecoverableKey() = assertHealsOnRead {
        FakeAndroidKeyStore.Faults.onGetKey = { UnrecoverableKeyException("Failed to obtain information about key") }
    }

    @Test
    fun healsFromPermanentlyInvalidatedKey() = assertHealsOnRead {
        FakeAndroidKeyStore.Faults.onCipherInit = { KeyPermanentlyInvalidatedException() }
    }

    @Test
    fun healsFromOemProviderException() = assertHealsOnRead {
        FakeAndroidKeyStore.Faults.onDoFinal = { ProviderException("Keystore operation failed") }
    }

    @Test
    fun writeWithBrokenKeyHealsAndWrites() {
        val storage = storage()
        storage.set("logto.tokens", "old-session")
        FakeAndroidKeyStore.Faults.onCipherInit = { InvalidKeyException("Keystore key invalid") }
        storage.set("logto.tokens", "new-session")
        assertEquals("new-session", storage.get("logto.tokens"))
        assertEquals(2, FakeAndroidKeyStore.generated.get())
    }

    @Test
    fun keyThatStaysBrokenFailsWithAStorageError() {
        val storage = storage()
        storage.set("logto.tokens", "old-session")
        FakeAndroidKeyStore.Faults.onCipherInit = { InvalidKeyException("first") }
        FakeAndroidKeyStore.Faults.onDoFinal = { ProviderException("and again after the new key") }
        try {
            storage.set("logto.tokens", "new-session")
            fail("expected a StorageException")
        } catch (e: StorageException.Failed) {
            assertTrue(e.message.orEmpty().contains("ProviderException"))
        }
    }

    @Test
    fun otherCryptoFailuresAreStorageErrorsAndKeepTheKey() {
        val storage = storage()
        storage.set("logto.tokens", "session")
        FakeAndroidKeyStore.Faults.onGetKey = { java.security.KeyStoreException("Keystore not initialized") }
        try {
            storage.get("logto.tokens")
            fail("expected a StorageException")
        } catch (e: StorageException.Failed) {
            assertTrue(e.message.orEmpty().contains("KeyStoreException"))
        }
        assertEquals("session", storage.get("logto.tokens"))
        assertEquals(1, FakeAndroidKeyStore.generated.get())
    }

    /**
     * Two storages of the same app id (the app's client and the plugin's, say) used for the first time at once:
     * the key is created once, and each reads what the other wrote. The key generator waits for a concurrent
     * lookup, which only a lock per instance (not per alias) lets through.
     */
    @Test
    fun oneKeyPerAliasAcrossInstances() {
        FakeAndroidKeyStore.Faults.raceGeneration = CountDownLatch(1)
        val first = storage()
        val second = storage()
        val barrier = CyclicBarrier(2)
        val errors = mutableListOf<Throwable>()
        val threads = listOf(first to "one", second to "two").map { (storage, value) ->
            thread {
                try {
                    barrier.await()
                    storage.set("key-$value", value)
                } catch (e: Throwable) {
                    synchronized(errors) { errors += e }
                }
            }
        }
        threads.forEach { it.join() }
        assertTrue(errors.toString(), errors.isEmpty())
        assertEquals("one key for the alias", 1, FakeAndroidKeyStore.generated.get())
        assertEquals("one", second.get("key-one"))
        assertEquals("two", first.get("key-two"))
    }
}
