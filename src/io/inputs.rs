//! Turns command-line inputs — files, `-`, directories, glob patterns — into the list of files to
//! read, in a stable order.

use super::{open, InputFormat, ReaderOptions, RecordError, RecordResult, RecordStream};
use crate::error::{Error, Result};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// File extensions read when a directory is expanded.
pub const KNOWN_EXTENSIONS: &[&str] = &[
    "jsonl", "ndjson", "json", "csv", "tsv", "txt", "xml", "db", "sqlite", "sqlite3", "srt", "vtt",
    "xlsx", "xlsm", "xlsb", "xls", "ods",
];

fn is_known(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| KNOWN_EXTENSIONS.iter().any(|k| k.eq_ignore_ascii_case(e)))
}

/// SQLite's files beside a database (`sms.db-wal`, `sms.db-shm`, `sms.db-journal`): read with it,
/// not inputs of their own, and not worth a note that they were left out.
fn is_sqlite_companion(p: &Path) -> bool {
    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        ["-wal", "-shm", "-journal"].iter().any(|suffix| {
            n.strip_suffix(suffix).is_some_and(|db| {
                let db = Path::new(db);
                db.extension().is_some_and(|e| {
                    ["db", "sqlite", "sqlite3"]
                        .iter()
                        .any(|k| e.eq_ignore_ascii_case(k))
                })
            })
        })
    })
}

/// What `p` is when it is not a regular file nor a directory: a named pipe (FIFO), a socket, a
/// device. Such an entry met in a directory scan is not opened — a FIFO's open waits for a writer
/// that may never come, and a device can be read without end.
fn special_kind(p: &Path) -> Option<&'static str> {
    let t = std::fs::metadata(p).ok()?.file_type();
    if t.is_file() || t.is_dir() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if t.is_socket() {
            return Some("a socket");
        }
        if t.is_block_device() || t.is_char_device() {
            return Some("a device");
        }
    }
    Some("not a file")
}

fn is_hidden(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

/// Whether a file is an SMS Backup & Restore call log (`calls-*.xml`, root element `<calls>`),
/// which that app writes beside the messages' `sms-*.xml`: it holds no message to score. Read
/// from the first 4 KiB (the root element follows the XML declaration and a comment or two).
pub fn is_call_log(p: &Path) -> bool {
    use std::io::Read;
    if !p
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
    {
        return false;
    }
    // A named pipe or a device is not opened to look (see `special_kind`).
    if !std::fs::metadata(p).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut head = Vec::with_capacity(4096);
    let read = std::fs::File::open(p).and_then(|f| f.take(4096).read_to_end(&mut head));
    if read.is_err() {
        return false;
    }
    let head = String::from_utf8_lossy(&head);
    let root = head
        .match_indices('<')
        .map(|(i, _)| &head[i + 1..])
        .find(|t| !t.starts_with(['?', '!']));
    root.is_some_and(|t| {
        t.strip_prefix("calls")
            .is_some_and(|r| r.starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/'))
    })
}

/// Files under `dir` with a known extension, recursively, sorted by path; hidden entries skipped,
/// other files put in `skipped`. A directory below `dir` that cannot be read (no permission), or
/// an entry with a known extension that is not a regular file (a named pipe, a socket, a device:
/// never opened), is put in `out` too, with the reason in `failed`: it becomes an error record
/// and the scan goes on. Directories are followed once each (by their real path), so a link back
/// up the tree or to a sibling scanned already adds nothing twice.
fn walk(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    failed: &mut Vec<(PathBuf, String)>,
    skipped: &mut Vec<PathBuf>,
    seen: &mut Vec<PathBuf>,
) -> Result<()> {
    if let Ok(real) = dir.canonicalize() {
        if seen.contains(&real) {
            return Ok(());
        }
        seen.push(real);
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| !is_hidden(p))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if let Err(e) = walk(&p, out, failed, skipped, seen) {
                out.push(p.clone());
                failed.push((p, e.to_string()));
            }
        } else if let Some(kind) = special_kind(&p) {
            if is_known(&p) {
                out.push(p.clone());
                failed.push((p, format!("not a regular file: {kind}; it is not read")));
            } else {
                skipped.push(p);
            }
        } else if is_known(&p) {
            out.push(p);
        } else if !is_sqlite_companion(&p) {
            skipped.push(p);
        }
    }
    Ok(())
}

fn has_glob_chars(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// The files to read, and the call logs a directory scan or a glob found and left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expanded {
    pub paths: Vec<PathBuf>,
    /// SMS Backup & Restore call logs ([`is_call_log`]) met in a directory or by a glob pattern:
    /// not read (they hold no messages); the caller says so. A call log named on its own is read,
    /// and is an error record that says what it is.
    pub call_logs: Vec<PathBuf>,
    /// Entries of `paths` that stand for an input that cannot be read, with the reason: a
    /// directory below a scanned one that cannot be listed, and — among several inputs — a name
    /// that does not exist, a pattern that matches nothing, a directory without input files.
    /// [`Chain::with_failed`] makes each an error record in its place.
    pub failed: Vec<(PathBuf, String)>,
    /// Files met in a directory scan whose extension is not an input format's (`.pdf`, `.docx`,
    /// `.m4a`…): not read; the caller says so, so that no file is left out unnoticed. Named on
    /// the command line or matched by a glob pattern, a file is read whatever its name.
    pub skipped: Vec<PathBuf>,
}

/// Expands `inputs`: `-` stays, directories become their files (recursively, known extensions),
/// glob patterns their matches (sorted). `exclude` (the output file and its `.partial`) is never
/// read. A path that does not exist, a pattern matching nothing, or a directory without input
/// files is an error when it is the only input; among several it is an entry of
/// [`Expanded::failed`] (an error record in the output, the other inputs read).
pub fn expand(inputs: &[PathBuf], exclude: &[PathBuf]) -> Result<Expanded> {
    let mut e = Expanded::default();
    for input in inputs {
        if let Err(err) = expand_one(input, exclude, &mut e) {
            if inputs.len() == 1 {
                return Err(err);
            }
            e.paths.push(input.clone());
            e.failed.push((input.clone(), err.to_string()));
        }
    }
    Ok(e)
}

/// One input of [`expand`], its files added to `e`. A directory reached twice within it (a link
/// back up the tree, or to a directory scanned already) is read once; two inputs that name the
/// same files are each read, as named.
fn expand_one(input: &Path, exclude: &[PathBuf], e: &mut Expanded) -> Result<()> {
    let mut seen = Vec::new();
    let excluded = |p: &Path| {
        let canon = p.canonicalize().ok();
        exclude
            .iter()
            .any(|x| x == p || (canon.is_some() && x.canonicalize().ok() == canon))
    };
    let (out, call_logs, failed, skipped) = (
        &mut e.paths,
        &mut e.call_logs,
        &mut e.failed,
        &mut e.skipped,
    );
    let s = input.to_string_lossy();
    if s == "-" {
        out.push(input.to_path_buf());
        return Ok(());
    }
    let mut found = Vec::new();
    // Found, not named: a call log among them is left out.
    let mut scanned = true;
    if input.is_dir() {
        let before = skipped.len();
        walk(input, &mut found, failed, skipped, &mut seen)?;
        if found.is_empty() {
            if let Some(first) = skipped.get(before) {
                let err = Error::Invalid(format!(
                    "{s}: directory has no input files ({}); {} other file(s) in it, e.g. {} \
                     (name a file to read it, with --format if its content is not detected)",
                    KNOWN_EXTENSIONS.join(", "),
                    skipped.len() - before,
                    first.display(),
                ));
                skipped.truncate(before);
                return Err(err);
            }
            return Err(Error::Invalid(format!(
                "{s}: directory has no input files ({})",
                KNOWN_EXTENSIONS.join(", ")
            )));
        }
    } else if input.exists() {
        found.push(input.to_path_buf());
        scanned = false;
    } else if has_glob_chars(&s) {
        let paths = glob::glob(&s).map_err(|e| Error::Invalid(format!("{s}: bad pattern: {e}")))?;
        let mut matched: Vec<PathBuf> = paths.filter_map(|p| p.ok()).collect();
        matched.sort();
        for p in matched {
            if p.is_dir() {
                if let Err(err) = walk(&p, &mut found, failed, skipped, &mut seen) {
                    found.push(p.clone());
                    failed.push((p, err.to_string()));
                }
            } else {
                found.push(p);
            }
        }
        if found.is_empty() {
            return Err(Error::Invalid(format!("{s}: no file matches")));
        }
    } else {
        return Err(Error::io(
            input,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
        ));
    }
    let (kept, logs) = (out.len(), call_logs.len());
    for p in found.into_iter().filter(|p| !excluded(p)) {
        if scanned && is_call_log(&p) {
            call_logs.push(p);
        } else {
            out.push(p);
        }
    }
    if out.len() == kept && call_logs.len() > logs {
        return Err(Error::Invalid(format!(
            "{s}: holds only call logs (SMS Backup & Restore's calls-*.xml), no messages"
        )));
    }
    Ok(())
}

/// The records of several inputs, one after the other. Files are opened when reached (a directory
/// of ten thousand calls does not hold ten thousand open files); a file that cannot be opened or
/// read as its format is one error record (line 0, record 0) and the run goes on. `first` is an
/// already opened stream for the first path.
pub struct Chain {
    paths: VecDeque<PathBuf>,
    current: Option<Current>,
    format: Option<InputFormat>,
    opts: ReaderOptions,
    /// Several inputs: one with no record is an error record, else it would not show at all.
    /// (One input with none is a run of 0 records, as the summary says.)
    report_empty: bool,
    /// Inputs that cannot be read ([`Expanded::failed`]): an error record each, in their place.
    failed: Vec<(PathBuf, String)>,
}

/// The file being read and whether it has given a record yet.
struct Current {
    path: PathBuf,
    stream: RecordStream,
    records: u64,
}

impl Chain {
    pub fn new(
        paths: Vec<PathBuf>,
        first: Option<RecordStream>,
        format: Option<InputFormat>,
        opts: ReaderOptions,
    ) -> Chain {
        let report_empty = paths.len() > 1;
        let mut paths: VecDeque<PathBuf> = paths.into();
        let current = match first {
            Some(stream) => paths.pop_front().map(|path| Current {
                path,
                stream,
                records: 0,
            }),
            None => None,
        };
        Chain {
            paths,
            current,
            format,
            opts,
            report_empty,
            failed: Vec::new(),
        }
    }

    /// The inputs that cannot be read and why ([`Expanded::failed`]).
    pub fn with_failed(mut self, failed: Vec<(PathBuf, String)>) -> Chain {
        self.failed = failed;
        self
    }
}

impl Iterator for Chain {
    type Item = RecordResult;
    fn next(&mut self) -> Option<RecordResult> {
        loop {
            if let Some(cur) = self.current.as_mut() {
                if let Some(r) = cur.stream.next() {
                    cur.records += 1;
                    return Some(r);
                }
                let ended = self.current.take().expect("current input");
                if ended.records == 0 && self.report_empty {
                    // Every input shows up in the output: a file with nothing in it (an empty
                    // transcript, a CSV with only its header) is one error record, not silence.
                    return Some(Err(RecordError::new(
                        ended.path.display().to_string(),
                        0,
                        0,
                        "no records: the input is empty",
                    )));
                }
            }
            let p = self.paths.pop_front()?;
            if let Some(i) = self.failed.iter().position(|(f, _)| *f == p) {
                let (p, reason) = self.failed.remove(i);
                let name = p.display().to_string();
                // The reason names the input first (`x.csv: no such file…`): not twice.
                let reason = reason
                    .strip_prefix(&format!("{name}: "))
                    .map(str::to_string)
                    .unwrap_or(reason);
                return Some(Err(RecordError::new(name, 0, 0, reason)));
            }
            match open(&p, self.format, &self.opts) {
                Ok(stream) => {
                    self.current = Some(Current {
                        path: p,
                        stream,
                        records: 0,
                    })
                }
                Err(e) => {
                    let name = p.display().to_string();
                    let e = e.to_string();
                    // Most errors name the file first: not twice.
                    let e = e.strip_prefix(&format!("{name}: ")).unwrap_or(&e);
                    return Some(Err(RecordError::new(
                        name.clone(),
                        0,
                        0,
                        format!("cannot read the file: {e}"),
                    )));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_dirs_and_globs_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("calls/b")).unwrap();
        for f in [
            "calls/2.txt",
            "calls/1.txt",
            "calls/b/3.json",
            "calls/skip.png",
            "calls/.hidden.txt",
            "calls/sms.db-wal",
            "calls/notes-journal",
            "x.jsonl",
        ] {
            std::fs::write(d.join(f), "x").unwrap();
        }
        let got = expand(
            &[
                d.join("calls"),
                PathBuf::from(format!("{}/*.jsonl", d.display())),
            ],
            &[],
        )
        .unwrap();
        assert!(got.call_logs.is_empty());
        // Found in a scan and not an input format by name: left out, and named (hidden files and
        // SQLite's log beside a database, read with it, are not).
        assert_eq!(
            got.skipped,
            [d.join("calls/notes-journal"), d.join("calls/skip.png")]
        );
        let rel: Vec<_> = got
            .paths
            .iter()
            .map(|p| p.strip_prefix(d).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            rel,
            ["calls/1.txt", "calls/2.txt", "calls/b/3.json", "x.jsonl"]
        );
        assert!(expand(&[d.join("missing.jsonl")], &[]).is_err());
        assert!(expand(&[PathBuf::from(format!("{}/*.nothing", d.display()))], &[]).is_err());
        let ex = expand(&[d.join("calls")], &[d.join("calls/2.txt")]).unwrap();
        assert_eq!(ex.paths.len(), 2);
        // A directory of nothing but other files: the error names one of them.
        std::fs::create_dir_all(d.join("docs")).unwrap();
        std::fs::write(d.join("docs/export.pdf"), "x").unwrap();
        std::fs::write(d.join("docs/notes.docx"), "x").unwrap();
        let err = expand(&[d.join("docs")], &[]).unwrap_err().to_string();
        assert!(
            err.contains("no input files") && err.contains("2 other file(s)"),
            "{err}"
        );
        assert!(err.contains("export.pdf"), "{err}");
        // Among several inputs it is an error row, and its files are not also listed as skipped.
        let two = expand(&[d.join("docs"), d.join("x.jsonl")], &[]).unwrap();
        assert_eq!(two.failed.len(), 1);
        assert!(two.skipped.is_empty());
    }

    #[test]
    fn call_logs_found_in_a_scan_are_left_out_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("backup")).unwrap();
        let calls = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n\
                     <!--File Created By SMS Backup & Restore-->\n\
                     <calls count=\"1\"><call number=\"10086\" duration=\"5\" /></calls>\n";
        let sms = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"0\"></smses>\n";
        std::fs::write(d.join("backup/calls-20241101.xml"), calls).unwrap();
        std::fs::write(d.join("backup/sms-20241101.xml"), sms).unwrap();
        std::fs::write(d.join("backup/other.xml"), "<callsign/>").unwrap();
        let ex = expand(&[d.join("backup")], &[]).unwrap();
        assert_eq!(
            ex.paths,
            [
                d.join("backup/other.xml"),
                d.join("backup/sms-20241101.xml")
            ]
        );
        assert_eq!(ex.call_logs, [d.join("backup/calls-20241101.xml")]);
        let globbed = expand(
            &[PathBuf::from(format!("{}/backup/*.xml", d.display()))],
            &[],
        )
        .unwrap();
        assert_eq!(globbed, ex);
        // Named on its own, a call log is read (and is an error record that says what it is).
        let named = expand(&[d.join("backup/calls-20241101.xml")], &[]).unwrap();
        assert_eq!(named.paths, [d.join("backup/calls-20241101.xml")]);
        assert!(named.call_logs.is_empty());
        // A directory of nothing but call logs is an error that says so.
        std::fs::create_dir_all(d.join("only")).unwrap();
        std::fs::write(d.join("only/calls-1.xml"), calls).unwrap();
        let err = expand(&[d.join("only")], &[]).unwrap_err();
        assert!(err.to_string().contains("only call logs"), "{err}");
    }
}
