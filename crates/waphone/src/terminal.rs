//! Text that a server sent, made safe to print on a terminal, and lines written to stderr.

/// `eprintln!` that never panics: a line for stderr, dropped when stderr is closed (as in
/// `waphone watch 2>&1 | head`), where `eprintln!` would panic and exit 101.
#[macro_export]
macro_rules! to_stderr {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `text` for a terminal: control characters (ESC and friends) and the characters that
/// reorder or hide text are shown escaped (`\u{1b}`), so text a server sent cannot move the
/// cursor, recolour the screen or spoof what follows.
pub fn safe(text: &str) -> String {
    let risky = |c: char| {
        c.is_control()
            || matches!(
                c,
                '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
            )
    };
    if !text.chars().any(risky) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if risky(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::safe;

    #[test]
    fn escapes_what_would_move_the_cursor_or_reorder_text() {
        assert_eq!(safe("Jaspers\u{1b}[2J"), "Jaspers\\u{1b}[2J");
        assert_eq!(safe("a\u{202E}b"), "a\\u{202e}b");
        assert_eq!(safe("plain"), "plain");
    }
}
