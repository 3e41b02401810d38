//! `uniffi-bindgen generate <lib> --language kotlin|swift --out-dir <dir>` (library mode).
fn main() {
    uniffi::uniffi_bindgen_main()
}
