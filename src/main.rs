//! Entry point of the OrgBridge web app (built by Trunk): it only mounts the app.

#[cfg(target_arch = "wasm32")]
fn main() {
    orgbridge::start();
}

/// Natively there is no app (see Cargo.toml): say how to build it instead.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "OrgBridge is a web app: build it with `trunk build --release` and open dist/index.html."
    );
}
