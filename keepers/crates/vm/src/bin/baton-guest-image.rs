//! Prints what names a guest ELF on L1: its memory image root, entry point and absolute
//! pre-state, as JSON (`./script/guest` writes it to `out/guest/image.json` and checks it
//! against the committed `keepers/guest/image.json`).

use baton_vm::Program;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: baton-guest-image <guest.elf>");
        return ExitCode::from(2);
    };
    let program = match std::fs::read(&path)
        .map_err(|e| e.to_string())
        .and_then(|elf| Program::load(&elf).map_err(|e| e.to_string()))
    {
        Ok(program) => program,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "{{\n  \"memoryRoot\": \"{}\",\n  \"entry\": \"{:#x}\",\n  \"absolutePrestate\": \"{}\"\n}}",
        program.image_root(),
        program.entry,
        program.absolute_prestate()
    );
    ExitCode::SUCCESS
}
