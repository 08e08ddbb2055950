//! The flag that sets an SDK input field, read from clap's own definitions.
//!
//! The SDK names a refused input by its field identifier (`InvalidInput::field`: the
//! parameter as Graph spells it, such as `pin` or `page_size`). Every argument here whose
//! value reaches that field has that identifier as its clap `id` (a field name, or
//! `#[arg(id = "...")]` where the flag reads differently), so the flag to name is found by
//! looking the identifier up in the command that ran, from its deepest subcommand out to
//! the global options: no table to keep in step.

use clap::{Arg, ArgMatches, Command};

/// The subcommand names `matches` went through, outermost first (`["app", "subscriptions",
/// "list"]`).
pub fn path(matches: &ArgMatches) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = matches;
    while let Some((name, sub)) = current.subcommand() {
        out.push(name.to_owned());
        current = sub;
    }
    out
}

/// How the command line at `path` names the input `field`: `--pin`, `PHONE_NUMBER_ID`;
/// `None` when no argument there sets it.
pub fn flag_for(root: &Command, path: &[String], field: &str) -> Option<String> {
    let mut chain = vec![root];
    for name in path {
        let next = chain.last()?.find_subcommand(name)?;
        chain.push(next);
    }
    chain
        .iter()
        .rev()
        .find_map(|command| command.get_arguments().find(|a| a.get_id() == field))
        .map(spelling)
}

/// An argument as a user types it: `--long` for a flag, its value name for a positional.
fn spelling(arg: &Arg) -> String {
    if let Some(long) = arg.get_long() {
        return format!("--{long}");
    }
    arg.get_value_names()
        .and_then(|names| names.first())
        .map(|name| name.to_string())
        .unwrap_or_else(|| arg.get_id().as_str().to_uppercase())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;
    use crate::cli::Cli;

    fn flag(args: &[&str], field: &str) -> Option<String> {
        let root = Cli::command();
        let matches = root.clone().try_get_matches_from(args).unwrap();
        flag_for(&root, &path(&matches), field)
    }

    #[test]
    fn fields_are_named_by_the_flag_of_the_command_that_ran() {
        assert_eq!(
            flag(&["waphone", "register", "1", "--pin", "1"], "pin").as_deref(),
            Some("--pin")
        );
        assert_eq!(
            flag(
                &["waphone", "register", "1", "--pin", "1"],
                "phone_number_id"
            )
            .as_deref(),
            Some("PHONE_NUMBER_ID")
        );
        // A global option, from any depth.
        assert_eq!(
            flag(
                &["waphone", "app", "subscriptions", "list", "1"],
                "app_secret"
            )
            .as_deref(),
            Some("--app-secret")
        );
        assert_eq!(
            flag(&["waphone", "list", "1"], "access_token").as_deref(),
            Some("--token")
        );
        // Where the flag reads differently from the field.
        assert_eq!(
            flag(&["waphone", "list", "1"], "page_size").as_deref(),
            Some("--page-size")
        );
        assert_eq!(
            flag(&["waphone", "list", "1"], "filtering").as_deref(),
            Some("--filter")
        );
        assert_eq!(
            flag(&["waphone", "profile", "set", "1"], "websites").as_deref(),
            Some("--website")
        );
        assert_eq!(
            flag(&["waphone", "account-number", "1"], "account_number_id").as_deref(),
            Some("ID")
        );
        assert_eq!(flag(&["waphone", "list", "1"], "no_such_field"), None);
    }
}
