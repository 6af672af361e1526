//! Build settings that must hold however the app is built (RUSTFLAGS in the environment replaces
//! .cargo/config.toml's `rustflags`, so nothing the app needs can live only there).
fn main() {
    // src/lib.rs refuses a wasm build without Leptos' `erase_components` (set in .cargo/config.toml).
    println!("cargo::rustc-check-cfg=cfg(erase_components)");
    // A split build (the `split` feature) is cut into parts by wasm-split-cli after linking, which
    // needs the linker's relocations to move functions between files.
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|a| a == "wasm32");
    if wasm && std::env::var_os("CARGO_FEATURE_SPLIT").is_some() {
        println!("cargo::rustc-link-arg-bins=--emit-relocs");
    }
}
