//! The `candor` binary: parse the command line, load settings, start telemetry, run.

use std::process::ExitCode;

use clap::Parser;

use candor::cli::{self, Cli};
use candor::settings::Settings;

// mimalloc rather than glibc's malloc: delivering a notice allocates and frees its rendered
// parts and built message (a few KB each) on every sender, and in the delivery bench glibc's
// malloc was about 8% of the machine; with mimalloc the outbox drained about 9% faster.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
