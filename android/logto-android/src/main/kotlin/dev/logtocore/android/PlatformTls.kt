package dev.logtocore.android

import android.content.Context

/**
 * The Rust core trusts what Android trusts (system CAs with their updates, the app's Network Security Config, user CAs
 * as that allows them) through rustls-platform-verifier, which calls Android's `X509TrustManager` over JNI. It needs
 * the app's [Context] once per process, before the first client: [init] hands it over through the native library's
 * JNI function (`Java_dev_logtocore_android_PlatformTls_nativeInit`, bindings/src/android.rs). Without it the core
 * refuses the platform trust store with an `invalid_config` error (or uses its bundled roots if the configuration
 * says `TrustStore.BUNDLED`).
 */
internal object PlatformTls {
    @Volatile private var initialized = false

    /**
     * Hands the Context to the native library. Replaced only by tests on a desktop JVM (Robolectric), where the
     * library is the host build: it has no Android JNI entry point, and the core there uses the host's trust store.
     */
    @Volatile internal var handOver: (Context) -> Unit = { context ->
        // The library JNA loads for the generated bindings; System.loadLibrary binds this class's native method.
        System.loadLibrary("logto_uniffi")
        nativeInit(context)
    }

    fun init(context: Context) {
        if (initialized) return
        synchronized(this) {
            if (initialized) return
            handOver(context.applicationContext)
            initialized = true
        }
    }

    @JvmStatic private external fun nativeInit(context: Context)
}
