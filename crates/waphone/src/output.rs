//! Printing results: one JSON document with `--json`, readable text otherwise.

use std::io::{IsTerminal, Write};

use serde::Serialize;

use crate::failure::Failure;
use crate::terminal::safe;

/// Writes `text` to stdout. A closed pipe (`waphone list --all | head`) ends the command
/// quietly instead of panicking.
pub fn emit(text: &str) -> Result<(), Failure> {
    write_stdout(|out| out.write_all(text.as_bytes()))
}

/// [`emit`] with a newline.
pub fn emit_line(text: &str) -> Result<(), Failure> {
    write_stdout(|out| {
        out.write_all(text.as_bytes())?;
        out.write_all(b"\n")
    })
}

/// Runs `write` on buffered, locked stdout and flushes; a closed pipe is
/// [`Failure::Closed`].
fn write_stdout(
    write: impl FnOnce(&mut std::io::BufWriter<std::io::StdoutLock<'static>>) -> std::io::Result<()>,
) -> Result<(), Failure> {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Failure::Closed),
        Err(e) => Err(Failure::Local(format!("cannot write to stdout: {e}"))),
    }
}

/// Where and how results are printed.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    /// `--json`: stdout holds exactly one JSON document.
    pub json: bool,
    /// Progress lines go to stderr: not with `--json`, and only when stderr is a terminal
    /// (checked once).
    pub progress: bool,
}

impl Output {
    /// The output for `--json` or not, with progress when stderr is a terminal.
    pub fn new(json: bool) -> Self {
        Self {
            json,
            progress: !json && std::io::stderr().is_terminal(),
        }
    }

    /// Prints `value` as pretty JSON (the only thing on stdout), streamed to stdout
    /// rather than built in memory first: an audit of 100,000 numbers is tens of MB.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> Result<(), Failure> {
        write_stdout(|out| {
            serde_json::to_writer_pretty(&mut *out, value)?;
            out.write_all(b"\n")
        })
    }

    /// Prints a JSON document already encoded (by a serializer fed as results arrived,
    /// with the same pretty formatting as [`json`](Self::json)).
    pub fn json_encoded(&self, document: &[u8]) -> Result<(), Failure> {
        write_stdout(|out| {
            out.write_all(document)?;
            out.write_all(b"\n")
        })
    }

    /// Prints `value` as JSON with `--json`, or as `key: value` lines otherwise.
    pub fn record<T: Serialize>(&self, value: &T) -> Result<(), Failure> {
        if self.json {
            return self.json(value);
        }
        let value = serde_json::to_value(value)
            .map_err(|e| Failure::Local(format!("cannot encode the result: {e}")))?;
        match value {
            serde_json::Value::Object(map) => {
                let width = map.keys().map(|k| k.len()).max().unwrap_or(0);
                let mut text = String::new();
                for (key, value) in map {
                    text.push_str(&format!("{key:width$}  {}\n", plain(&value)));
                }
                emit(&text)
            }
            other => emit_line(&plain(&other)),
        }
    }

    /// Progress on stderr, only for people: not with `--json`, not when stderr is piped.
    pub fn progress(&self, message: &str) {
        if self.progress {
            let mut err = std::io::stderr();
            let _ = write!(err, "\r\x1b[2K{message}");
            let _ = err.flush();
        }
    }

    /// Clears the progress line.
    pub fn progress_done(&self) {
        if self.progress {
            let mut err = std::io::stderr();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}

/// A JSON value as a person reads it: strings without quotes, objects compact, and never
/// a terminal escape.
pub fn plain(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => safe(s),
        serde_json::Value::Null => "-".into(),
        other => safe(&other.to_string()),
    }
}

/// A text table with a header row; columns padded to their widest cell.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    // Every cell made terminal-safe once; widths and lines are measured on what is printed.
    let lines: Vec<Vec<String>> = std::iter::once(header.iter().map(|h| safe(h)).collect())
        .chain(rows.iter().map(|row| row.iter().map(|c| safe(c)).collect()))
        .collect();
    let mut widths: Vec<usize> = vec![0; header.len()];
    for cells in &lines {
        for (w, cell) in widths.iter_mut().zip(cells) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for cells in &lines {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < cells.len() {
                let pad = widths
                    .get(i)
                    .map_or(0, |w| w.saturating_sub(cell.chars().count()));
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align() {
        let t = table(
            &["id", "name"],
            &[
                vec!["1".into(), "Ann".into()],
                vec!["22".into(), "B".into()],
            ],
        );
        assert_eq!(t, "id  name\n1   Ann\n22  B\n");
    }

    #[test]
    fn server_text_cannot_drive_the_terminal() {
        let t = table(&["name"], &[vec!["x\u{1b}]0;pwned\u{7}".into()]]);
        assert!(!t.contains('\u{1b}') && !t.contains('\u{7}'), "{t:?}");
    }
}
