//! Entry point of the OrgBridge web app (built by Trunk): it only mounts the app.

fn main() {
    orgbridge::start();
}
