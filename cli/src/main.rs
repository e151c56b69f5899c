//! `notiflows-auth`: generate signing keys, sign and verify user tokens, inspect tokens,
//! authenticate requests and run an end-to-end demo.
//!
//! Exit status: 0 on success, 1 when the library refuses (with `error: <code>: <message>`
//! on stderr), 2 for usage errors.

mod commands;
mod input;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "notiflows-auth", version, about = "Notiflows User API authentication: signing keys and user tokens")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate an RSA signing key pair (the private key is shown once).
    Keygen(commands::keygen::Args),
    /// Sign a user token for a user id.
    Sign(commands::sign::Args),
    /// Verify a user token and print its claims as JSON.
    Verify(commands::verify::Args),
    /// Show a token's header and claims WITHOUT verifying anything.
    Inspect(commands::inspect::Args),
    /// Authenticate one request against a project file, and say why it is refused.
    Authenticate(commands::authenticate::Args),
    /// Print the JWK Set (RFC 7517) of public keys, for gateways that verify tokens themselves.
    Jwks(commands::jwks::Args),
    /// Walk through the product end to end on an embedded setup (nothing to prepare).
    Demo(commands::demo::Args),
    /// Serve the User API gate: the decision endpoint for gateways, and the admin API.
    Serve(commands::serve::Args),
}

/// A failure the command reports: a library error, a plain message (I/O), a usage error
/// (exit 2), or one the command has already printed.
pub enum Failure {
    Library(notiflows_auth::Error),
    Other(String),
    Usage(String),
    Reported,
}

impl From<notiflows_auth::Error> for Failure {
    fn from(e: notiflows_auth::Error) -> Self {
        Failure::Library(e)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Keygen(args) => commands::keygen::run(args),
        Command::Sign(args) => commands::sign::run(args),
        Command::Verify(args) => commands::verify::run(args),
        Command::Inspect(args) => commands::inspect::run(args),
        Command::Authenticate(args) => commands::authenticate::run(args),
        Command::Jwks(args) => commands::jwks::run(args),
        Command::Demo(args) => commands::demo::run(args),
        Command::Serve(args) => commands::serve::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Library(e)) => {
            eprintln!("error: {}: {e}", e.code());
            ExitCode::FAILURE
        }
        Err(Failure::Other(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}\n\nFor more information, try '--help'.");
            ExitCode::from(2)
        }
        Err(Failure::Reported) => ExitCode::FAILURE,
    }
}
