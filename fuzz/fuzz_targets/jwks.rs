#![no_main]
// Entry point and input format: logto_core::fuzzing::jwks (core/src/fuzzing.rs).
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    logto_core::fuzzing::jwks(data);
});
