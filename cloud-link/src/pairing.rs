//! What the client prints while it waits to be paired: the box customers
//! are told to look for (in the console and in `cloud-link.log`), exactly
//! as the product documentation shows it.

use domain::cloud_link::Pin;

/// The box asking an admin to enter `pin` on the console at `server_url`.
pub fn pin_box(server_url: &str, pin: &Pin, expires_in_minutes: u64) -> String {
    format!(
        "** Before you are able to run the client,\n\
         ** link it to your Intake account:\n\
         **  1) Log in to {server_url}\n\
         **  2) Visit {server_url}/account/integrations\n\
         **  3) Select an integration you want to connect the client to\n\
         **  4) Enter your pin: {pin} (expires in {expires_in_minutes} minutes)\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_box_is_the_documented_one() {
        let pin = Pin::parse("424242").expect("a PIN");
        assert_eq!(
            pin_box("https://intake.example.com", &pin, 5),
            "** Before you are able to run the client,\n\
             ** link it to your Intake account:\n\
             **  1) Log in to https://intake.example.com\n\
             **  2) Visit https://intake.example.com/account/integrations\n\
             **  3) Select an integration you want to connect the client to\n\
             **  4) Enter your pin: 424242 (expires in 5 minutes)\n"
        );
    }
}
