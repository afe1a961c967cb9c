//! The `candor` binary: parse the command line, load settings, start telemetry, run.

use std::process::ExitCode;

use clap::Parser;

use candor::cli::{self, Cli};
use candor::settings::Settings;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("candor: {e}");
            return ExitCode::FAILURE;
        }
    };
    candor::telemetry::init(&settings);
    match cli::run(cli, settings).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("candor: {e:#}");
            ExitCode::FAILURE
        }
    }
}
