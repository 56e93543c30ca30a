//! `lab`: the lesson's experiments and figures on the command line. See `lab help`.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use spurious_lab::cli::{self, CliError};
    use std::process::ExitCode;

    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = cli::parse(&args).and_then(|command| {
        let mut stdout = std::io::stdout().lock();
        cli::execute(command, &mut stdout)
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("lab: {error}");
            match error {
                CliError::Io { .. } | CliError::Chart(_) => ExitCode::FAILURE,
                _ => ExitCode::from(2),
            }
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}
