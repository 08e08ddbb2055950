//! `cargo xtask`: the workspace's code generation commands.

use std::process::ExitCode;

use xtask::Layout;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  regen        regenerate everything spec/ decides: version modules, the GraphVersion
               traits, the facade's version modules, Cargo features, lint exemptions and
               new snapshots; prints how each version's API surface changed
  check        exit non-zero, naming the stale files, if regen would change anything
  diff vA vB   operations, types, fields and enum values added or removed from vA to vB
  upstream META.yaml [--previous OLD.yaml] [--version vNN.N] [--accept]
               what differs between Meta's OpenAPI description and ours per operation
               (and what Meta changed since OLD.yaml); exits non-zero when Meta's revision
               is not the one spec/upstream.lock pins or a difference is not acknowledged
               there; --accept pins this revision and acknowledges its differences
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
        ["regen"] => regen(&layout),
        ["diff", old, new] => xtask::diff(&layout, old, new).map(|report| print!("{report}")),
        ["upstream", rest @ ..] => {
            return match xtask::upstream::parse_args(rest)
                .and_then(|request| xtask::upstream::run(&layout, &request))
            {
                Ok(report) => {
                    print!("{}", report.text);
                    if report.passes() {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::FAILURE
                    }
                }
                Err(error) => {
                    eprintln!("error: {error:#}");
                    ExitCode::from(2)
                }
            };
        }
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

fn regen(layout: &Layout) -> anyhow::Result<()> {
    let done = xtask::regen(layout)?;
    for written in &done.written {
        if written.changed {
            println!("    wrote {}", layout.display(&written.path));
        }
    }
    let unchanged = done.written.iter().filter(|w| !w.changed).count();
    println!("unchanged {unchanged} file(s)");
    for (version, diff) in &done.surface_changes {
        println!("\nAPI surface of {} changed:\n{diff}", version.name);
    }
    if !done.surface_changes.is_empty() {
        println!(
            "Review the surface snapshots: `cargo insta test -p whatsapp-phone-numbers-api --review` \
             (or `INSTA_UPDATE=always cargo test -p whatsapp-phone-numbers-api` to accept)."
        );
    }
    Ok(())
}
