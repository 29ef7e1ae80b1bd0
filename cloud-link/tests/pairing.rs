//! A real `cloud-link` process pairs with the real server on both engines:
//! it shows the documented box with its PIN in its log, an admin enters
//! that PIN through the management API, and the client keeps its own
//! credential in a state file only its user may read.

#[path = "../../server/tests/common/mod.rs"]
mod common;
mod support;

use std::time::Duration;

use common::{Engine, TestApp, ADMIN_EMAIL};
use serde_json::Value;
use support::{client_folder, link, pin_in_log, start_client};

on_both_engines!(a_real_client_pairs_by_the_pin_in_its_log_and_keeps_its_credential);

async fn a_real_client_pairs_by_the_pin_in_its_log_and_keeps_its_credential(engine: Engine) {
    let app = TestApp::spawn(engine).await.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let id = app
        .on_premise_integration(&token, "Telephony on site")
        .await;

    let server_url = format!("http://{}", app.addr);
    let (folder, config) = client_folder(&server_url);
    let mut client = start_client(&config, "pin");

    let log = folder.path().join("cloud-link.log");
    let pin = pin_in_log(&log, 1).await;
    let text = std::fs::read_to_string(&log).expect("a log");
    assert!(
        text.contains(&format!(
            "** Before you are able to run the client,\n\
             ** link it to your Intake account:\n\
             **  1) Log in to {server_url}\n\
             **  2) Visit {server_url}/account/integrations\n\
             **  3) Select an integration you want to connect the client to\n\
             **  4) Enter your pin: {pin} (expires in 5 minutes)\n"
        )),
        "the documented box:\n{text}"
    );

    let linked = link(&app, &token, id, &pin).await;
    assert_eq!(
        linked["link"]["os"],
        format!("{} {}", std::env::consts::OS, std::env::consts::ARCH)
    );

    let exited = tokio::time::timeout(Duration::from_secs(60), client.wait())
        .await
        .expect("the client collects its credential within a minute")
        .expect("an exit status");
    assert!(exited.success(), "{exited}");
    let state = folder.path().join("cloud-link.state");
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&state).expect("a state file"))
            .expect("JSON");
    assert_eq!(saved["integrationId"], id);
    assert!(saved["credential"]
        .as_str()
        .is_some_and(|c| c.starts_with("itl_")));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&state)
            .expect("there")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "only its user may read the credential");
    }
    assert!(std::fs::read_to_string(&log)
        .expect("a log")
        .contains(&format!("paired with integration {id}")));
    let shown: Value = app
        .read_json(&format!("/api/v1/integrations/{id}/link"), &token)
        .await;
    assert_eq!(shown["link"]["connected"], true);
}
