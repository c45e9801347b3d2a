//! Says what a file that is not a WAV looks like, so an administrator who
//! uploaded an MP3 or a screenshot learns that rather than "bad header".

/// Leading bytes of common files, and what to call them.
const SIGNATURES: &[(&[u8], &str)] = &[
    (b"RF64", "an RF64 file (a WAV over 4 GiB)"),
    (b"RIFX", "a big-endian RIFX file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"ID3", "an MP3 file"),
    (b"OggS", "an Ogg file"),
    (b"fLaC", "a FLAC file"),
    (b"FORM", "an AIFF file"),
    (b"#!AMR", "an AMR file"),
    (b".snd", "a Sun/NeXT audio file"),
    (b"PK\x03\x04", "a ZIP archive or an office document"),
    (b"\x1F\x8B", "a gzip archive"),
    (b"\xEF\xBB\xBF", "a text file"),
];

/// How many leading bytes are shown when nothing else is recognised.
const SHOWN_BYTES: usize = 8;
/// How many leading characters of a text file are quoted.
const SHOWN_CHARS: usize = 32;

/// A short description of what `bytes` looks like.
pub(super) fn describe(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "the file is empty".into();
    }
    if bytes.starts_with(b"RIFF") {
        return match bytes.get(8..12) {
            Some(kind) => format!(
                "it is a RIFF file of type \"{}\", not WAVE",
                String::from_utf8_lossy(kind).escape_debug()
            ),
            None => format!("it is a RIFF header cut off after {} bytes", bytes.len()),
        };
    }
    if let Some((_, name)) = SIGNATURES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
    {
        return format!("it looks like {name}");
    }
    if bytes.get(4..8) == Some(b"ftyp") {
        return "it looks like an MP4 or M4A file".into();
    }
    if let [0xFF, second, ..] = bytes
        && second & 0xE0 == 0xE0
    {
        return "it looks like an MP3 file".into();
    }
    if let Some(text) = leading_text(bytes) {
        return format!("it looks like text: \"{}\"", text.escape_debug());
    }
    let shown = &bytes[..bytes.len().min(SHOWN_BYTES)];
    format!("it starts with the bytes {}", sb_core::secret::hex(shown))
}

/// The first characters of `bytes` if it reads as text.
fn leading_text(bytes: &[u8]) -> Option<String> {
    // The cut-off may split a multi-byte character; only the valid prefix
    // of the first chunk counts, and it must not be cut short by garbage.
    let head = &bytes[..bytes.len().min(SHOWN_CHARS * 4)];
    let chunk = head.utf8_chunks().next()?;
    let valid = chunk.valid();
    let garbage_inside = !chunk.invalid().is_empty() && valid.len() + 4 < head.len();
    let printable = valid
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'));
    if valid.is_empty() || garbage_inside || !printable {
        return None;
    }
    Some(valid.chars().take(SHOWN_CHARS).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_what_it_recognises() {
        assert_eq!(describe(b""), "the file is empty");
        assert!(describe(b"\x89PNG\r\n\x1a\n").contains("PNG"));
        assert!(describe(b"RIFF\x10\0\0\0AVI LIST").contains("AVI"));
        assert!(describe(b"ID3\x04").contains("MP3"));
        assert!(describe(b"\xFF\xFB\x90\x00").contains("MP3"));
        assert!(describe(b"\0\0\0\x20ftypM4A ").contains("MP4"));
        assert!(describe(b"hello, this is not audio\n").contains("hello, this is not audio"));
        assert_eq!(
            describe(&[0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]),
            "it starts with the bytes 0001020304050607"
        );
    }
}
