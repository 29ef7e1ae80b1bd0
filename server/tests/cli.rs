//! The `intake` command line, run as an operator would run it.

mod common;

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

use common::{location, Engine, TestApp, TestDatabase};

on_both_engines!(
    admin_create_provisions_an_account_that_can_sign_in,
    admin_create_refuses_a_duplicate_email,
    admin_create_refuses_a_weak_password,
    token_create_prints_a_personal_access_token_once,
    token_create_refuses_an_unknown_user,
    migrate_brings_an_empty_database_up_to_date,
);

fn intake(database_url: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(args)
        .env("INTAKE_DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("intake starts");
    child
        .stdin
        .take()
        .expect("a stdin pipe")
        .write_all(stdin.as_bytes())
        .expect("writes stdin");
    child.wait_with_output().expect("intake ends")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const PASSWORD: &str = "a long enough passphrase\n";

async fn admin_create_provisions_an_account_that_can_sign_in(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let args = [
        "admin",
        "create",
        "--account",
        "Acme",
        "--email",
        "ops@example.com",
    ];

    let output = intake(&database.url, &args, PASSWORD);

    assert!(output.status.success(), "stderr: {}", text(&output.stderr));
    assert!(text(&output.stdout).contains("ops@example.com"));
    let app = TestApp::spawn_with(database, common::client(), |s| s).await;
    // Provisioning closes first-run setup as well.
    assert_eq!(location(&app.get("/").await), "/login");
    let signed_in = app
        .sign_in("ops@example.com", "a long enough passphrase")
        .await;
    assert_eq!(location(&signed_in), "/account/integrations");
}

async fn admin_create_refuses_a_duplicate_email(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let args = [
        "admin",
        "create",
        "--account",
        "Acme",
        "--email",
        "ops@example.com",
    ];
    assert!(intake(&database.url, &args, PASSWORD).status.success());

    let again = [
        "admin",
        "create",
        "--account",
        "Other",
        "--email",
        "OPS@example.com",
    ];
    let output = intake(&database.url, &again, PASSWORD);

    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("already exists"),
        "{}",
        text(&output.stderr)
    );
}

async fn admin_create_refuses_a_weak_password(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let args = [
        "admin",
        "create",
        "--account",
        "Acme",
        "--email",
        "ops@example.com",
    ];

    let output = intake(&database.url, &args, "short\n");

    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("at least 10 characters"),
        "{}",
        text(&output.stderr)
    );
}

async fn token_create_prints_a_personal_access_token_once(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let admin = [
        "admin",
        "create",
        "--account",
        "Acme",
        "--email",
        "ops@example.com",
    ];
    assert!(intake(&database.url, &admin, PASSWORD).status.success());

    let args = [
        "token",
        "create",
        "--email",
        "ops@example.com",
        "--name",
        "nightly export",
        "--expires-in-days",
        "30",
    ];
    let output = intake(&database.url, &args, "");

    assert!(output.status.success(), "stderr: {}", text(&output.stderr));
    let token = text(&output.stdout).trim().to_owned();
    assert!(token.starts_with("itp_"), "{token}");
    assert!(server::secrets::token::is_well_formed(
        server::secrets::token::TokenKind::Personal,
        &token
    ));
    assert!(text(&output.stderr).contains("only this once"));

    // Only a hash is stored, never the token itself.
    let stored: Vec<Vec<u8>> = database
        .scalars("SELECT secret_hash FROM personal_access_tokens")
        .await;
    assert_eq!(stored, vec![server::secrets::token::hash(&token)]);
}

async fn token_create_refuses_an_unknown_user(engine: Engine) {
    let database = TestDatabase::create(engine).await;

    let args = [
        "token",
        "create",
        "--email",
        "nobody@example.com",
        "--name",
        "x",
    ];
    let output = intake(&database.url, &args, "");

    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("no user has the email address"));
}

async fn migrate_brings_an_empty_database_up_to_date(engine: Engine) {
    let database = TestDatabase::create(engine).await;

    let first = intake(&database.url, &["migrate"], "");
    let second = intake(&database.url, &["migrate"], "");

    assert!(first.status.success(), "stderr: {}", text(&first.stderr));
    assert!(second.status.success(), "migrations are idempotent");
}

#[test]
fn every_command_explains_itself_with_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["admin", "create", "--help"],
        vec!["token", "create", "--help"],
    ] {
        let output = intake("sqlite://unused.db", &args, "");
        assert!(output.status.success(), "{args:?}");
        assert!(text(&output.stdout).contains("Usage"), "{args:?}");
    }
}
