//! The `bomscout` binary: argument parsing and exit codes only; the work is in the crates.
//!
//! Exit codes: 0 success, 1 policy violations (`check`), 2 usage or fatal error (and, with
//! `--strict`, files that could not be parsed).
#![allow(clippy::print_stderr, clippy::print_stdout)]

mod advisories;
mod audit;
mod check;
mod cli;
mod color;
mod convert;
mod enrich;
mod guard;
mod inventory;
mod licenses;
mod output;
mod progress;
mod scan;
mod upload;
mod vet;

/// mimalloc instead of the system allocator: a full scan of an organization spent about 15%
/// of its time in glibc's malloc and free (bench/PROFILE.md has the numbers). Built with
/// `no_thp`: mimalloc otherwise asks for transparent huge pages on its arenas, which on a
/// `madvise`-THP kernel (most distributions) raised a 500-repository scan's peak RSS from
/// about 148 to about 190 MiB (three runs each), for no measurable speed.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) => {
            // An error may quote a path or a name from the scanned tree. Its own line breaks
            // (a policy error's annotated source) are kept; within a line, control characters
            // are shown as escapes, so no name can drive the terminal.
            let text = format!("{err:#}");
            let lines: Vec<_> = text
                .split('\n')
                .map(bomscout_core::escape::printable)
                .collect();
            eprintln!("bomscout: error: {}", lines.join("\n"));
            ExitCode::from(2)
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let cli = cli::Cli::parse();
    color::init(cli.color);
    match &cli.command {
        cli::Command::Scan(args) => scan::run(args),
        cli::Command::Convert(args) => convert::convert(args),
        cli::Command::Merge(args) => convert::merge(args),
        cli::Command::Check(args) => check::check(args),
        cli::Command::Licenses(args) => licenses::licenses(args),
        cli::Command::Policy(cli::PolicyCommand::Init { file, force }) => {
            check::policy_init(file, *force)
        }
        cli::Command::Inventory(args) => inventory::inventory(args),
        cli::Command::Query(args) => inventory::query(args),
        cli::Command::Audit(args) => audit::audit(args),
        cli::Command::Advisories(command) => advisories::run(command),
        cli::Command::Vet(args) => vet::vet(args),
        cli::Command::Upload(args) => upload::upload(args),
        cli::Command::Completions { shell } => {
            let mut cmd = <cli::Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut cmd, "bomscout", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        cli::Command::Man => {
            let cmd = <cli::Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
