//! Turns command-line inputs — files, `-`, directories, glob patterns — into the list of files to
//! read, in a stable order.

use super::{open, InputFormat, ReaderOptions, RecordError, RecordResult, RecordStream};
use crate::error::{Error, Result};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// File extensions read when a directory is expanded.
pub const KNOWN_EXTENSIONS: &[&str] = &[
    "jsonl", "ndjson", "json", "csv", "tsv", "txt", "xml", "db", "sqlite", "sqlite3", "srt", "vtt",
];

fn is_known(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| KNOWN_EXTENSIONS.iter().any(|k| k.eq_ignore_ascii_case(e)))
}

fn is_hidden(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

/// Files under `dir` with a known extension, recursively, sorted by path; hidden entries skipped.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| !is_hidden(p))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if is_known(&p) {
            out.push(p);
        }
    }
    Ok(())
}

fn has_glob_chars(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Expands `inputs`: `-` stays, directories become their files (recursively, known extensions),
/// glob patterns their matches (sorted). `exclude` (the output file and its `.partial`) is never
/// read. A path that does not exist, a pattern matching nothing, or a directory without input
/// files is an error.
pub fn expand(inputs: &[PathBuf], exclude: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let excluded = |p: &Path| {
        let canon = p.canonicalize().ok();
        exclude
            .iter()
            .any(|x| x == p || (canon.is_some() && x.canonicalize().ok() == canon))
    };
    let mut out = Vec::new();
    for input in inputs {
        let s = input.to_string_lossy();
        if s == "-" {
            out.push(input.clone());
            continue;
        }
        let mut found = Vec::new();
        if input.is_dir() {
            walk(input, &mut found)?;
            if found.is_empty() {
                return Err(Error::Invalid(format!(
                    "{s}: directory has no input files ({})",
                    KNOWN_EXTENSIONS.join(", ")
                )));
            }
        } else if input.exists() {
            found.push(input.clone());
        } else if has_glob_chars(&s) {
            let paths =
                glob::glob(&s).map_err(|e| Error::Invalid(format!("{s}: bad pattern: {e}")))?;
            let mut matched: Vec<PathBuf> = paths.filter_map(|p| p.ok()).collect();
            matched.sort();
            for p in matched {
                if p.is_dir() {
                    walk(&p, &mut found)?;
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
        out.extend(found.into_iter().filter(|p| !excluded(p)));
    }
    Ok(out)
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
        }
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
            match open(&p, self.format, &self.opts) {
                Ok(stream) => {
                    self.current = Some(Current {
                        path: p,
                        stream,
                        records: 0,
                    })
                }
                Err(e) => {
                    return Some(Err(RecordError::new(
                        p.display().to_string(),
                        0,
                        0,
                        format!("cannot read the file: {e}"),
                    )))
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
        let rel: Vec<_> = got
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
        assert_eq!(ex.len(), 2);
    }
}
