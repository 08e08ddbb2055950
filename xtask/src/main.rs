//! `cargo xtask`: the workspace's code generation commands.

use std::process::ExitCode;

use xtask::Layout;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  regen [--version vNN.N]   regenerate the generated crate from spec/ (all versions by default)
  check                     exit non-zero, naming the stale files, if regen would change anything
  diff vA vB                operations, types, fields and enum values added or removed from vA to vB
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let layout = Layout::workspace();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["regen"] => regen(&layout, None),
        ["regen", "--version", v] => regen(&layout, Some(v)),
        ["diff", old, new] => xtask::diff(&layout, old, new).map(|report| print!("{report}")),
        ["check"] => {
            xtask::check_or_fail(&layout).map(|()| println!("generated code is up to date"))
        }
        ["help" | "--help" | "-h"] => {
            print!("{USAGE}");
            Ok(())
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn regen(layout: &Layout, only: Option<&str>) -> anyhow::Result<()> {
    for written in xtask::regen(layout, only)? {
        let state = if written.changed {
            "wrote"
        } else {
            "unchanged"
        };
        println!("{state:>9} {}", layout.display(&written.path));
    }
    Ok(())
}
