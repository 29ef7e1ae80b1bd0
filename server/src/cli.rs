//! The `intake` command line: serve, migrate, and provisioning commands for
//! operators and scripts.

use std::io::Read;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use domain::{
    setup::{CreateAccountError, Occasion},
    store::Store,
    AccountName, EmailAddress, Language, Password,
};

use crate::{
    config::Settings,
    db::Database,
    secrets::{password, token},
    startup::{shutdown_signal, Application},
};

#[derive(Debug, Parser)]
#[command(
    name = "intake",
    version,
    about = "Intake: the integrations console of a contact-centre WFM system"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the console and its APIs (the default). Configured by
    /// INTAKE_DATABASE_URL, INTAKE_ADDR, INTAKE_PUBLIC_URL and RUST_LOG.
    Serve,
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Manage accounts and their administrators.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage personal access tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Run one CSV schema's query, read as JSON from standard input (the
    /// server starts this itself).
    #[command(hide = true)]
    SqlSandbox,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an account and its first admin. The password is read from
    /// standard input (one line).
    Create(AdminCreate),
}

#[derive(Debug, Args)]
pub struct AdminCreate {
    /// The organisation's name.
    #[arg(long)]
    pub account: String,
    /// The admin's email address, used to sign in.
    #[arg(long)]
    pub email: String,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a personal access token for a user and print it once.
    Create(TokenCreate),
}

#[derive(Debug, Args)]
pub struct TokenCreate {
    /// The user the token acts as.
    #[arg(long)]
    pub email: String,
    /// What the token is for, e.g. "nightly export".
    #[arg(long)]
    pub name: String,
    /// Days until the token stops working (1–3650); without it, it never expires.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub expires_in_days: Option<u32>,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Migrate => {
            let database = Database::connect(&settings.database_url).await?;
            database.migrate().await?;
            println!("The {} database is up to date.", database.engine());
            Ok(())
        }
        Command::Admin(AdminCommand::Create(args)) => create_admin(settings, args).await,
        Command::Token(TokenCommand::Create(args)) => create_token(settings, args).await,
        Command::SqlSandbox => bail!("the sandbox runs before the server starts"),
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let application = Application::build(settings).await?;
    tracing::info!("Intake is listening on http://{}", application.local_addr());
    application.run_until(shutdown_signal()).await
}

async fn open(settings: &Settings) -> anyhow::Result<Database> {
    let database = Database::connect(&settings.database_url).await?;
    database.migrate().await?;
    Ok(database)
}

async fn create_admin(settings: Settings, args: AdminCreate) -> anyhow::Result<()> {
    let account_name = AccountName::parse(&args.account).context("--account")?;
    let email = EmailAddress::parse(&args.email).context("--email")?;
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("cannot read the password from standard input")?;
    let first_line = input.lines().next().unwrap_or_default();
    let new_password = Password::parse(first_line).context("the password on standard input")?;
    let database = open(&settings).await?;
    let hash = password::PasswordPool::new(1).hash(&new_password).await?;
    match database
        .create_account(
            &account_name,
            &email,
            &hash,
            Language::default(),
            Occasion::Provisioning,
        )
        .await
    {
        Ok(created) => {
            println!(
                "Created account \"{account_name}\" (id {}) with admin {email}.",
                created.account_id.0
            );
            Ok(())
        }
        Err(CreateAccountError::DuplicateEmail) => {
            bail!("a user with the email address {email} already exists; nothing was created")
        }
        Err(error) => Err(error.into()),
    }
}

async fn create_token(settings: Settings, args: TokenCreate) -> anyhow::Result<()> {
    let email = EmailAddress::parse(&args.email).context("--email")?;
    let token_name = domain::tokens::TokenName::parse(&args.name).context("--name")?;
    let database = open(&settings).await?;
    let Some(user) = database.user_by_email(&email).await? else {
        bail!("no user has the email address {email}");
    };
    let actor = domain::actor::Actor {
        user_id: user.id,
        account_id: user.account_id,
        role: user.role,
        email: user.email.clone(),
    };
    let expiry = match args.expires_in_days {
        Some(days) => domain::tokens::Expiry::days(days).context("--expires-in-days")?,
        None => domain::tokens::Expiry::NEVER,
    };
    let issued = token::issue(token::TokenKind::Personal);
    let stored = domain::secret::NewSecret {
        hash: issued.hash.clone(),
        display_prefix: issued.display_prefix.clone(),
    };
    let created = domain::tokens::create(&database, &actor, token_name, expiry, &stored).await?;
    eprintln!(
        "Personal access token \"{}\" for {email}. It is shown only this once:",
        created.name
    );
    println!("{}", issued.secret);
    Ok(())
}
