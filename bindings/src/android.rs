//! Android only: the JNI function logto-android calls once with the app's `Context` (`PlatformTls.nativeInit`), so
//! that the core's platform trust store (rustls-platform-verifier) can reach Android's `X509TrustManager`. Glue: one
//! call into the core. A failure comes back to Kotlin as a `RuntimeException`, never as a panic across JNI.

use jni::errors::ThrowRuntimeExAndDefault;
use jni::objects::{JClass, JObject};

#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_logtocore_android_PlatformTls_nativeInit<'caller>(
    mut env: jni::EnvUnowned<'caller>,
    _class: JClass<'caller>,
    context: JObject<'caller>,
) {
    env.with_env(|env| logto_core::android::init(env, context)).resolve::<ThrowRuntimeExAndDefault>()
}
