//! Cloud Link: the on-premise client that pairs with one integration and
//! pulls work from Intake over outbound HTTPS. Not built yet: this binary
//! only says so, so nobody mistakes it for a working client.

fn main() {
    eprintln!(
        "cloud-link {}: the on-premise client is not available in this build yet",
        env!("CARGO_PKG_VERSION")
    );
    std::process::exit(2);
}
