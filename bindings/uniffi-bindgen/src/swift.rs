//! `uniffi-bindgen-swift <lib> <out> --headers|--modulemap|--swift-sources|--xcframework …` (Swift packaging helper).
fn main() {
    uniffi::uniffi_bindgen_swift()
}
