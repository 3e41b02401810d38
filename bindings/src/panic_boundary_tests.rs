//! A panic must never cross the FFI boundary. These tests drive the exported C ABI exactly as the generated Kotlin
//! and Swift do (construct, call an async method, poll the Rust future, complete it) with a host storage that
//! panics, and check that the panic comes back as an "unexpected error" status instead of unwinding into the
//! caller, and that the client still works afterwards.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex};

use crate::test_storage::TestStorage;
use crate::{LogtoCoreClient, Storage, UniFfiTag, default_logto_config};
use uniffi::{Lower, RustCallStatus, RustCallStatusCode};

unsafe extern "C" {
    fn uniffi_logto_uniffi_fn_method_logtocoreclient_is_authenticated(ptr: u64) -> u64;
    fn ffi_logto_uniffi_rust_future_poll_i8(handle: u64, callback: extern "C" fn(u64, i8), data: u64);
    fn ffi_logto_uniffi_rust_future_complete_i8(handle: u64, status: &mut RustCallStatus) -> i8;
    fn ffi_logto_uniffi_rust_future_free_i8(handle: u64);
    fn uniffi_logto_uniffi_fn_func_parse_prompt(
        value: uniffi::RustBuffer,
        status: &mut RustCallStatus,
    ) -> uniffi::RustBuffer;
}

static WAKERS: Mutex<Option<Sender<i8>>> = Mutex::new(None);

extern "C" fn continuation(_data: u64, poll_result: i8) {
    if let Some(tx) = WAKERS.lock().unwrap().as_ref() {
        let _ = tx.send(poll_result);
    }
}

/// Calls `is_authenticated` through the C ABI and returns (status code, result, panic message).
fn call_is_authenticated(client: &Arc<LogtoCoreClient>) -> (RustCallStatusCode, i8, String) {
    let (tx, rx) = channel();
    *WAKERS.lock().unwrap() = Some(tx);
    let handle = <Arc<LogtoCoreClient> as Lower<UniFfiTag>>::lower(Arc::clone(client));
    let future = unsafe { uniffi_logto_uniffi_fn_method_logtocoreclient_is_authenticated(handle.as_raw()) };
    loop {
        unsafe { ffi_logto_uniffi_rust_future_poll_i8(future, continuation, 0) };
        if rx.recv().unwrap() == 0 {
            break; // UNIFFI_RUST_FUTURE_POLL_READY
        }
    }
    let mut status = RustCallStatus::default();
    let value = unsafe { ffi_logto_uniffi_rust_future_complete_i8(future, &mut status) };
    unsafe { ffi_logto_uniffi_rust_future_free_i8(future) };
    let message =
        String::from_utf8_lossy(&std::mem::ManuallyDrop::into_inner(status.error_buf).destroy_into_vec()).into_owned();
    (status.code, value, message)
}

#[test]
fn a_panic_inside_an_async_method_is_caught_and_the_client_keeps_working() {
    let storage = Arc::new(TestStorage { panicking: AtomicBool::new(true) });
    let client = LogtoCoreClient::new(
        default_logto_config("https://tenant.logto.app".into(), "app".into()),
        Arc::clone(&storage) as Arc<dyn Storage>,
    )
    .unwrap();

    // Storage runs on a blocking thread of the core's; a panic there is caught at that task's boundary and comes back
    // as the typed `internal` error (a panic anywhere else is caught by UniFFI as an unexpected error).
    let (code, _, message) = call_is_authenticated(&client);
    assert_eq!(code, RustCallStatusCode::Error);
    assert!(message.contains("host storage exploded"), "{message}");

    storage.panicking.store(false, Ordering::SeqCst);
    let (code, value, _) = call_is_authenticated(&client);
    assert_eq!(code, RustCallStatusCode::Success);
    assert_eq!(value, 0, "not authenticated");
}

#[test]
fn a_sync_error_crosses_as_an_error_status_not_a_panic() {
    let mut status = RustCallStatus::default();
    let arg = <String as Lower<UniFfiTag>>::lower("select_account".into());
    let _ = unsafe { uniffi_logto_uniffi_fn_func_parse_prompt(arg, &mut status) };
    assert_eq!(status.code, RustCallStatusCode::Error);
}
