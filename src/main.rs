//! The posguard command line: a thin layer over the library.

mod cli;

use std::process::ExitCode;

/// mimalloc: scoring allocates many small short-lived strings and vectors per message, which it
/// serves with fewer instructions than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Behave like other Unix tools when the reader goes away (`posguard score … | head`).
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    match cli::run() {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`posguard score … | head`) is not an error worth a message.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("posguard: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
