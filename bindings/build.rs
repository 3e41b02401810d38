//! Linker settings of the shipped library, per platform. They are here, not in RUSTFLAGS or `.cargo/config.toml`, so
//! that every way of building it (cargo-ndk from Gradle, the XCFramework script, `cargo build`, size.sh) gets them,
//! and so that they apply to this cdylib only, never to the tests, tools or a host app's binaries.
//!
//! - Android (NDK clang, always lld):
//!   - `-z max-page-size=16384`: segments aligned to 16 KB, required by Android 15+ devices with 16 KB pages;
//!   - `--pack-dyn-relocs=android`: relative relocations packed (APS2, Android 6 / API 23+; we need 24). RELR
//!     (`android+relr`) would be smaller still but needs API 28;
//!   - `--icf=all`: identical functions folded (Rust never compares function addresses for identity).
//! - Linux (glibc): `-z pack-relative-relocs`, RELR relative relocations (glibc 2.36+, GNU ld 2.38+ or lld 15+; an
//!   older GNU ld ignores the option with a warning). The Linux library is the host build used by the JVM and Swift
//!   tests and by size.sh, the stand-in for the Android one: packing its relocations the way Linux allows keeps its
//!   size comparable. `--icf=all` only where the linker is known to be lld: x86_64 with rustc 1.90+ and no linker of
//!   the user's (GNU ld, rustc's linker elsewhere, has no ICF and would fail on the option).
//! - Apple: nothing; the XCFramework ships a static library, which the app's own link (ld-prime, dead stripping)
//!   finishes.
//!
//! bindings/scripts/size.sh measures each of these (see the figures in bindings/README.md).

use std::env::var;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER");
    let os = var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let mut args = Vec::new();
    match (os.as_str(), env.as_str()) {
        ("android", _) => args.extend(["-Wl,-z,max-page-size=16384", "-Wl,--pack-dyn-relocs=android", "-Wl,--icf=all"]),
        ("linux", "gnu") => {
            args.push("-Wl,-z,pack-relative-relocs");
            if host_links_with_rust_lld() {
                args.push("-Wl,--icf=all");
            }
        }
        _ => {}
    }
    for arg in args {
        println!("cargo::rustc-cdylib-link-arg={arg}");
    }
}

/// rustc links x86_64-unknown-linux-gnu with its own lld since 1.90, unless a linker is configured.
fn host_links_with_rust_lld() -> bool {
    if var("TARGET").as_deref() != Ok("x86_64-unknown-linux-gnu")
        || var("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER").is_ok()
        || var("CARGO_ENCODED_RUSTFLAGS").is_ok_and(|flags| flags.contains("link"))
    {
        return false;
    }
    let rustc = var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = std::process::Command::new(rustc).arg("--version").output().map(|o| o.stdout).unwrap_or_default();
    // "rustc 1.95.0 (…)": the minor version.
    let minor = String::from_utf8_lossy(&version).split(['.', ' ']).nth(2).and_then(|m| m.parse::<u32>().ok());
    minor.is_some_and(|m| m >= 90)
}
