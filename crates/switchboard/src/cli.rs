//! The command line: `serve` (default), `migrate`, `user add|passwd`,
//! `token create`. Global flags work with every subcommand.

use clap::{Parser, Subcommand};

use crate::config::{Config, GlobalArgs};
use crate::{server, users};

#[derive(Debug, Parser)]
#[command(
    name = "switchboard",
    version,
    about = "Switchboard call-center server",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default): migrations, first-start demo data, console, API.
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage staff accounts without the console.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

/// Options of `serve`.
#[derive(Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// On the first start create only the administrator: no demo organisation,
    /// demo SIP extensions (with their published passwords), trunk or routes.
    #[arg(long)]
    pub no_demo: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a member of staff.
    Add {
        /// Unique employee ID, used to sign in.
        #[arg(long)]
        employee_id: String,
        #[arg(long)]
        name: String,
        /// Role code, e.g. admin, supervisor, agent; repeat for several.
        #[arg(long = "role")]
        roles: Vec<String>,
        /// Department number, e.g. 001-01.
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        extension: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a member of staff's password (clears any lockout, ends their sessions).
    Passwd {
        #[arg(long)]
        employee_id: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a new bearer API token acting as this member of staff.
    Create {
        #[arg(long)]
        employee_id: String,
        /// What the token is for.
        #[arg(long, default_value = "command line")]
        name: String,
        /// Days until the token expires (default: never).
        #[arg(long)]
        expires_days: Option<i64>,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::resolve(&cli.global)?;
    server::init_tracing(&config.log);
    match cli
        .command
        .unwrap_or_else(|| Command::Serve(ServeArgs::default()))
    {
        Command::Serve(args) => {
            let config = Config {
                demo: !args.no_demo,
                ..config
            };
            server::run(config, server::shutdown_signal()).await
        }
        Command::Migrate => {
            let store = server::open_store(&config).await?;
            println!(
                "migrations applied to {}",
                server::redacted_url(&config.database_url)
            );
            store.close().await;
            Ok(())
        }
        Command::User(cmd) => users::run(&config, cmd).await,
        Command::Token(cmd) => users::token(&config, cmd).await,
    }
}
