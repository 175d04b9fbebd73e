//! Text encodings of exported files. Excel in mainland China writes CSV in GBK (GB18030), in Taiwan
//! and Hong Kong in Big5, "Unicode text" as UTF-16 with a BOM; everything else is UTF-8, with or
//! without a BOM. The encoding is sniffed from the first bytes of a file, then every field is
//! decoded strictly: bytes that fit the encoding nowhere become an error record for that row.

use encoding_rs::{Encoding, BIG5, GB18030, UTF_16BE, UTF_16LE};
use std::borrow::Cow;
use std::io::Read;

/// The encoding of a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// GB18030, a superset of GBK and GB2312.
    Gb18030,
    Big5,
    Utf16Le,
    Utf16Be,
}

impl TextEncoding {
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gb18030 => "GBK/GB18030",
            TextEncoding::Big5 => "Big5",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
        }
    }

    pub(crate) fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 => encoding_rs::UTF_8,
            TextEncoding::Gb18030 => GB18030,
            TextEncoding::Big5 => BIG5,
            TextEncoding::Utf16Le => UTF_16LE,
            TextEncoding::Utf16Be => UTF_16BE,
        }
    }

    /// UTF-16 must be transcoded before line or CSV parsing (its bytes include `\n` and `,`).
    pub fn is_utf16(self) -> bool {
        matches!(self, TextEncoding::Utf16Le | TextEncoding::Utf16Be)
    }
}

/// `head` is valid UTF-8, except perhaps for a sequence cut at the end when the file goes on.
fn is_utf8_prefix(head: &[u8], complete: bool) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => !complete && e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    }
}

/// Guesses the encoding from the first bytes of a file (`complete`: `head` is the whole file).
///
/// A BOM decides. Otherwise valid UTF-8 is UTF-8; else each line holding non-ASCII bytes votes for
/// the encodings that decode it without error, and GB18030 or Big5 wins only with more clean lines
/// than UTF-8 (so a UTF-8 file with a few broken rows stays UTF-8 and those rows become errors).
/// Chinese in UTF-8 mostly decodes as GB18030 too (as other characters), so a file at least half
/// of whose non-ASCII lines are valid UTF-8 is UTF-8 whatever GB18030 says: Chinese written in
/// GBK is valid UTF-8 only by accident, a line of a few characters at most.
pub fn sniff(head: &[u8], complete: bool) -> TextEncoding {
    if head.starts_with(b"\xEF\xBB\xBF") {
        return TextEncoding::Utf8;
    }
    if head.starts_with(b"\xFF\xFE") {
        return TextEncoding::Utf16Le;
    }
    if head.starts_with(b"\xFE\xFF") {
        return TextEncoding::Utf16Be;
    }
    if is_utf8_prefix(head, complete) {
        return TextEncoding::Utf8;
    }
    let mut lines: Vec<&[u8]> = head.split(|&b| b == b'\n').collect();
    if !complete && lines.len() > 1 {
        lines.pop(); // possibly cut
    }
    let (mut utf8, mut gb, mut big5, mut non_ascii) = (0usize, 0usize, 0usize, 0usize);
    for line in lines.iter().filter(|l| !l.is_ascii()) {
        non_ascii += 1;
        utf8 += std::str::from_utf8(line).is_ok() as usize;
        gb += GB18030
            .decode_without_bom_handling_and_without_replacement(line)
            .is_some() as usize;
        big5 += BIG5
            .decode_without_bom_handling_and_without_replacement(line)
            .is_some() as usize;
    }
    if (gb <= utf8 && big5 <= utf8) || 2 * utf8 >= non_ascii {
        return TextEncoding::Utf8;
    }
    // Both double-byte encodings accept much of each other's text; let chardetng tell them apart.
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(head, complete);
    let guess = det.guess(None, chardetng::Utf8Detection::Allow);
    if guess == BIG5 && big5 >= gb {
        TextEncoding::Big5
    } else if gb > utf8 {
        TextEncoding::Gb18030
    } else {
        TextEncoding::Big5
    }
}

/// Decodes one field or line strictly; the error names the encoding and the byte offset.
pub fn decode(bytes: &[u8], enc: TextEncoding) -> Result<Cow<'_, str>, String> {
    match enc {
        TextEncoding::Utf8 | TextEncoding::Utf16Le | TextEncoding::Utf16Be => {
            // UTF-16 input has already been transcoded to UTF-8.
            std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
                format!(
                    "invalid UTF-8 at byte {} (the file is read as UTF-8; convert it or fix the row)",
                    e.valid_up_to()
                )
            })
        }
        other => other
            .encoding()
            .decode_without_bom_handling_and_without_replacement(bytes)
            .ok_or_else(|| {
                format!(
                    "invalid {} bytes (the file is read as {})",
                    other.name(),
                    other.name()
                )
            }),
    }
}

/// Like [`decode`] into an owned string.
pub fn decode_owned(bytes: Vec<u8>, enc: TextEncoding) -> Result<String, String> {
    if matches!(
        enc,
        TextEncoding::Utf8 | TextEncoding::Utf16Le | TextEncoding::Utf16Be
    ) {
        return String::from_utf8(bytes).map_err(|e| {
            format!(
                "invalid UTF-8 at byte {} (the file is read as UTF-8; convert it or fix the row)",
                e.utf8_error().valid_up_to()
            )
        });
    }
    decode(&bytes, enc).map(Cow::into_owned)
}

/// Whether a line of `head` that is not all ASCII is valid UTF-8 (the last line, perhaps cut by
/// the end of `head`, included: a cut one is not valid, which only makes this say no).
pub fn has_utf8_line(head: &[u8]) -> bool {
    head.split(|&b| b == b'\n')
        .any(|l| !l.is_ascii() && std::str::from_utf8(l).is_ok())
}

/// The encoding an XML file declares (`<?xml version="1.0" encoding="GBK"?>`) when it is not
/// UTF-8: a backup re-saved by a Windows tool, or an export written in GBK. `None` for UTF-8,
/// for no declaration, and for a label no encoding has (then the bytes are read as UTF-8, and any
/// that are not give a clear error).
pub fn xml_declared_encoding(head: &[u8]) -> Option<&'static Encoding> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let decl = head[start..].strip_prefix(b"<?xml")?;
    let decl = &decl[..decl.windows(2).position(|w| w == b"?>")?];
    let at = decl.windows(8).position(|w| w == b"encoding")?;
    let rest = decl[at + 8..].trim_ascii_start().strip_prefix(b"=")?;
    let rest = rest.trim_ascii_start();
    let quote = *rest.first().filter(|q| matches!(q, b'"' | b'\''))?;
    let rest = &rest[1..];
    let label = &rest[..rest.iter().position(|&b| b == quote)?];
    let enc = Encoding::for_label(label)?;
    // A declaration in ASCII bytes cannot be UTF-16 (a UTF-16 file has its BOM, sniffed first).
    (enc != encoding_rs::UTF_8 && enc != UTF_16LE && enc != UTF_16BE).then_some(enc)
}

/// Streams UTF-16 (after its BOM) as UTF-8, for the line and CSV readers. Unpaired surrogates
/// become U+FFFD, as a field's other errors are the field's to report.
pub type Utf16Reader<R> = DecodeReader<R>;

impl<R: Read> DecodeReader<R> {
    /// A [`Utf16Reader`]: `enc` is UTF-16LE or UTF-16BE.
    pub fn new(inner: R, enc: TextEncoding) -> Self {
        Self::with(inner, enc.encoding(), None)
    }

    /// Streams a file in `encoding` as UTF-8, strictly: bytes that are not valid in it end the
    /// stream with an [`std::io::ErrorKind::InvalidData`] error naming the encoding and the
    /// byte offset, so that a reader turns them into an error record instead of text with U+FFFD
    /// in it. What came before the bad bytes is read first; every read after them fails. `why`:
    /// how the encoding was chosen, for the error (`"its XML declaration says so"`).
    pub fn strict(inner: R, encoding: &'static Encoding, why: &'static str) -> Self {
        Self::with(inner, encoding, Some(why))
    }

    fn with(inner: R, encoding: &'static Encoding, strict: Option<&'static str>) -> Self {
        DecodeReader {
            inner,
            // With BOM handling: the BOM is removed.
            decoder: encoding.new_decoder_with_bom_removal(),
            name: encoding.name(),
            strict,
            inbuf: vec![0; 1 << 15],
            start: 0,
            end: 0,
            offset: 0,
            out: Vec::with_capacity(1 << 16),
            pos: 0,
            eof: false,
            failed: None,
        }
    }
}

/// A file in some encoding streamed as UTF-8: [`Utf16Reader`] (lenient) or
/// [`DecodeReader::strict`].
pub struct DecodeReader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    name: &'static str,
    /// Strict decoding, and why the file is read in this encoding (for the error).
    strict: Option<&'static str>,
    inbuf: Vec<u8>,
    /// Bytes of `inbuf` not yet decoded (from `start` to `end`).
    start: usize,
    end: usize,
    /// Bytes of the input decoded so far.
    offset: u64,
    out: Vec<u8>,
    pos: usize,
    eof: bool,
    /// Why the stream ended early: bad bytes met (strict decoding only).
    failed: Option<String>,
}

impl<R: Read> Read for DecodeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pos >= self.out.len() {
            if let Some(reason) = &self.failed {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    reason.clone(),
                ));
            }
            if self.start == self.end {
                if self.eof {
                    return Ok(0);
                }
                let n = loop {
                    match self.inner.read(&mut self.inbuf) {
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        other => break other?,
                    }
                };
                (self.start, self.end, self.eof) = (0, n, n == 0);
            }
            let input = &self.inbuf[self.start..self.end];
            let needed = self
                .decoder
                .max_utf8_buffer_length(input.len())
                .unwrap_or(input.len() * 3 + 16);
            self.out.clear();
            self.out.resize(needed.max(16), 0);
            self.pos = 0;
            let (read, written, bad) =
                match self.strict {
                    Some(_) => {
                        let (result, read, written) = self
                            .decoder
                            .decode_to_utf8_without_replacement(input, &mut self.out, self.eof);
                        let bad = match result {
                            encoding_rs::DecoderResult::Malformed(bad, after) => {
                                Some(u64::from(bad) + u64::from(after))
                            }
                            _ => None,
                        };
                        (read, written, bad)
                    }
                    None => {
                        let (_, read, written, _) =
                            self.decoder.decode_to_utf8(input, &mut self.out, self.eof);
                        (read, written, None)
                    }
                };
            self.out.truncate(written);
            self.start += read;
            self.offset += read as u64;
            if let (Some(back), Some(why)) = (bad, self.strict) {
                // What came before the bad bytes is handed out first; the error after it.
                let at = self.offset.saturating_sub(back);
                self.failed = Some(format!(
                    "invalid {} bytes at byte {at} of the file (read as {}: {why})",
                    self.name, self.name
                ));
            }
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_boms_utf8_gbk_and_keeps_broken_utf8_as_utf8() {
        assert_eq!(sniff(b"\xEF\xBB\xBFid,text\n", false), TextEncoding::Utf8);
        assert_eq!(sniff(b"\xFF\xFEi\0d\0", false), TextEncoding::Utf16Le);
        assert_eq!(
            sniff("id,text\n1,你好\n".as_bytes(), true),
            TextEncoding::Utf8
        );
        let (gbk, _, _) = GB18030.encode("id,内容\n1,您的POS机即将停用\n2,老板您好\n");
        assert_eq!(sniff(&gbk, true), TextEncoding::Gb18030);
        let mut mixed = "id,text\n1,你好\n2,再见\n".as_bytes().to_vec();
        mixed.extend_from_slice(b"3,\xff\xfe broken\n");
        assert_eq!(sniff(&mixed, true), TextEncoding::Utf8);
        // A UTF-8 file with one line's last character cut (found by a QA pass: read as GBK, every
        // row mojibake): the lines that GB18030 also decodes do not outvote the valid UTF-8.
        let msg = "您的POS机备案到期，回复1免费更换新机";
        for (lines, cut_line) in [(3_000, 1), (3, 2)] {
            let mut bytes = Vec::new();
            for i in 0..lines {
                let line = msg.as_bytes();
                let line = if i == cut_line {
                    &line[..line.len() - 2]
                } else {
                    line
                };
                bytes.extend_from_slice(line);
                bytes.push(b'\n');
            }
            assert_eq!(sniff(&bytes, true), TextEncoding::Utf8, "{lines} lines");
            assert_eq!(
                sniff(&bytes[..bytes.len().min(4096)], false),
                TextEncoding::Utf8
            );
        }
        let text = format!("{msg}\n{msg}\n短\n");
        let (gbk, _, _) = GB18030.encode(&text);
        assert_eq!(sniff(&gbk, true), TextEncoding::Gb18030);
        // A UTF-8 sequence cut by the sniff window is not an error.
        let s = "你好".as_bytes();
        assert_eq!(sniff(&s[..4], false), TextEncoding::Utf8);
    }

    #[test]
    fn decodes_strictly() {
        let (gbk, _, _) = GB18030.encode("停用");
        assert_eq!(decode(&gbk, TextEncoding::Gb18030).unwrap(), "停用");
        assert!(decode(b"\xff\xff", TextEncoding::Gb18030)
            .unwrap_err()
            .contains("GBK"));
        assert!(decode(b"\xff", TextEncoding::Utf8)
            .unwrap_err()
            .contains("invalid UTF-8"));
    }

    #[test]
    fn transcodes_utf16() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "id\t内容\n1\t停用😀\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let mut s = String::new();
        Utf16Reader::new(&bytes[..], TextEncoding::Utf16Le)
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "id\t内容\n1\t停用😀\n");
    }

    #[test]
    fn xml_declarations_name_their_encoding() {
        let gbk = Encoding::for_label(b"GBK").unwrap();
        for (head, want) in [
            (
                &b"<?xml version='1.0' encoding='GBK' standalone='yes' ?>\n<smses>"[..],
                Some(gbk),
            ),
            (
                b"\xEF\xBB\xBF <?xml version=\"1.0\" encoding = \"gb2312\"?><smses>",
                Some(gbk),
            ),
            (
                b"<?xml version=\"1.0\" encoding=\"GB18030\"?>",
                Some(GB18030),
            ),
            (b"<?xml version=\"1.0\" encoding=\"big5\"?>", Some(BIG5)),
            (
                b"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>",
                None,
            ),
            (b"<?xml version='1.0' encoding='utf-16'?>", None),
            (b"<?xml version='1.0' encoding='klingon'?>", None),
            (b"<?xml version='1.0'?><smses encoding='GBK'>", None),
            (b"<smses><?xml version='1.0' encoding='GBK'?>", None),
            (b"<?xml version='1.0' encoding='GBK", None),
        ] {
            assert_eq!(
                xml_declared_encoding(head),
                want,
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }

    /// A reader that hands out `n` bytes at a time, to cut characters between reads.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn strict_decoding_streams_and_stops_at_the_first_bad_byte() {
        let text = "【工商银行】您尾号1234卡POS支出128.00元😀，".repeat(3000);
        let (gbk, _, _) = GB18030.encode(&text);
        for step in [1, 3, 4096, 1 << 16] {
            let mut s = String::new();
            DecodeReader::strict(Trickle(&gbk, step), GB18030, "test")
                .read_to_string(&mut s)
                .unwrap();
            assert_eq!(s, text, "{step}");
        }
        // A bad byte: what comes before it is read, then an error naming its offset, again on
        // every later read.
        let good = GB18030.encode("您的POS机").0.len();
        let bad = [&GB18030.encode("您的POS机").0[..], b"\xFF", &gbk[..]].concat();
        for step in [1, 2, 1 << 16] {
            let mut r = DecodeReader::strict(Trickle(&bad, step), GB18030, "test");
            let mut s = Vec::new();
            let e = r.read_to_end(&mut s).unwrap_err();
            assert_eq!(s, "您的POS机".as_bytes(), "{step}");
            assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
            assert_eq!(
                e.to_string(),
                format!("invalid gb18030 bytes at byte {good} of the file (read as gb18030: test)")
            );
            assert!(r.read(&mut [0; 16]).is_err());
        }
        // A character cut by the end of the file is bad too.
        let cut = &gbk[..gbk.len() - 1];
        let mut s = String::new();
        let e = DecodeReader::strict(cut, GB18030, "test")
            .read_to_string(&mut s)
            .unwrap_err();
        assert!(
            e.to_string().contains("invalid gb18030 bytes at byte"),
            "{e}"
        );
        // UTF-16 with its BOM, which is left out.
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("停用😀".encode_utf16().flat_map(u16::to_le_bytes));
        let mut s = String::new();
        DecodeReader::strict(Trickle(&utf16, 1), UTF_16LE, "test")
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "停用😀");
    }
}
