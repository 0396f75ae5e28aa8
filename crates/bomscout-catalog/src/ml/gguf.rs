//! GGUF model files (`*.gguf`, the llama.cpp format): the header only.
//!
//! Layout (little-endian): magic `GGUF`, a `u32` version (1–3), the tensor count and the
//! key/value count (`u32` in version 1, `u64` after), then the key/value pairs: a string
//! key, a `u32` value type, the value. Strings are a length (`u32` in version 1, `u64`
//! after) and UTF-8 bytes; arrays are an element type, a count and the elements.
//!
//! A file in a clone of a Hub repository (a card `README.md` beside it) gives that
//! repository's component instead (`hub::cloned_repository`).
//!
//! Read: `general.name`, `general.basename`, `general.version`, `general.license`,
//! `general.architecture`. Tensor data is never read: the walker hands this parser at
//! most [`HEAD_LIMIT`] bytes of the file (see [`crate::ml::head_limit`]). When the
//! key/value section runs past that prefix, what was read before it counts and the rest
//! is skipped; when it runs past the end of a file shorter than the prefix, the file is
//! malformed. Every count and length is checked against the bytes left before it is
//! used, so a count of 2^63 costs nothing; arrays are skipped, not collected, and
//! nested at most [`MAX_DEPTH`] deep.

use super::{file_stem, model_file_component, ModelFacts};
use crate::{Input, ParseError};
use bomscout_core::Catalog;

/// The most of a `.gguf` file read: its header with the tokenizer's vocabulary fits in
/// a few MB for the models published so far.
pub const HEAD_LIMIT: u64 = 32 * 1024 * 1024;
/// Deepest array nesting followed.
pub const MAX_DEPTH: u32 = 4;
/// Longest string value kept (longer ones are cut).
const MAX_VALUE: usize = 512;

/// Parses a GGUF file's header into one model component.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let facts = read_header(input.bytes)?;
    if let Some(repository) = super::hub::cloned_repository(input, &facts) {
        return repository;
    }
    let mut catalog = Catalog::default();
    let stem = file_stem(input.path());
    let component = model_file_component(input.path(), &stem, "gguf", &facts)?;
    catalog.add_package(component);
    Ok(catalog)
}

/// Why reading stopped short.
enum Stop {
    /// The bytes ran out at this offset, doing this.
    End(usize, &'static str),
    /// Something else is wrong.
    Bad(String),
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    wide: bool,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: u64, what: &'static str) -> Result<&'a [u8], Stop> {
        let left = (self.bytes.len() - self.pos) as u64;
        if n > left {
            return Err(Stop::End(self.pos, what));
        }
        let n = n as usize;
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, Stop> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self, what: &'static str) -> Result<u64, Stop> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    fn count(&mut self, what: &'static str) -> Result<u64, Stop> {
        if self.wide {
            self.u64(what)
        } else {
            self.u32(what).map(u64::from)
        }
    }

    fn string(&mut self, what: &'static str) -> Result<&'a [u8], Stop> {
        let len = self.count(what)?;
        self.take(len, what)
    }

    /// Skips (or, for a string, returns) one value of type `ty`.
    fn value(&mut self, ty: u32, depth: u32) -> Result<Option<&'a [u8]>, Stop> {
        if let Some(size) = fixed_size(ty) {
            self.take(size, "a value")?;
            return Ok(None);
        }
        match ty {
            8 => self.string("a string value").map(Some),
            9 => {
                if depth >= MAX_DEPTH {
                    return Err(Stop::Bad(format!(
                        "arrays nested more than {MAX_DEPTH} deep at byte {}",
                        self.pos
                    )));
                }
                let elem = self.u32("an array's element type")?;
                let n = self.u64("an array's length")?;
                if let Some(size) = fixed_size(elem) {
                    let total = n.checked_mul(size).ok_or(Stop::End(self.pos, "an array"))?;
                    self.take(total, "an array")?;
                } else {
                    // Each string or array element takes at least 8 bytes, so this loop
                    // ends within the bytes given, whatever `n` says.
                    for _ in 0..n {
                        self.value(elem, depth + 1)?;
                    }
                }
                Ok(None)
            }
            other => Err(Stop::Bad(format!(
                "unknown value type {other} at byte {}",
                self.pos
            ))),
        }
    }
}

fn fixed_size(ty: u32) -> Option<u64> {
    Some(match ty {
        0 | 1 | 7 => 1,
        2 | 3 => 2,
        4..=6 => 4,
        10..=12 => 8,
        _ => return None,
    })
}

/// The general facts of a GGUF header.
pub fn read_header(bytes: &[u8]) -> Result<ModelFacts, ParseError> {
    let mut r = Reader {
        bytes,
        pos: 0,
        wide: true,
    };
    let magic = r.take(4, "the magic").unwrap_or_default();
    if magic != b"GGUF" {
        return Err(ParseError::format(
            "not a GGUF file (it does not start with the magic bytes `GGUF`)",
        ));
    }
    let version = r
        .u32("the version")
        .map_err(|_| ParseError::format("a GGUF file that ends before its version"))?;
    if !(1..=3).contains(&version) {
        return Err(ParseError::format(format!(
            "GGUF version {version} is not supported (versions 1 to 3 are; a big-endian \
             file reads as a huge version): the file is skipped"
        )));
    }
    r.wide = version >= 2;
    let mut facts = ModelFacts::default();
    let result = (|| -> Result<(), Stop> {
        let _tensors = r.count("the tensor count")?;
        let kvs = r.count("the key/value count")?;
        for _ in 0..kvs {
            let key = r.string("a key")?;
            let ty = r.u32("a value type")?;
            let value = r.value(ty, 0)?;
            if let Some(v) = value {
                let v: String = String::from_utf8_lossy(v).chars().take(MAX_VALUE).collect();
                match key {
                    b"general.name" => facts.name = Some(v),
                    b"general.basename" => facts.basename = Some(v),
                    b"general.version" => facts.version = Some(v),
                    b"general.license" => facts.license = Some(v),
                    b"general.architecture" => facts.architecture = Some(v),
                    _ => {}
                }
            }
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok(facts),
        // The prefix read ended inside the header: what was read counts.
        Err(Stop::End(..)) if bytes.len() as u64 >= HEAD_LIMIT => Ok(facts),
        Err(Stop::End(at, what)) => Err(ParseError::format(format!(
            "the GGUF header ends early: {what} at byte {at} runs past the end of the \
             file ({} bytes); the file is truncated or its counts are wrong",
            bytes.len()
        ))),
        Err(Stop::Bad(message)) => Err(ParseError::format(format!("bad GGUF header: {message}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(version: u32, kvs: u64, body: &[u8]) -> Vec<u8> {
        let mut b = b"GGUF".to_vec();
        b.extend(version.to_le_bytes());
        b.extend(0u64.to_le_bytes());
        b.extend(kvs.to_le_bytes());
        b.extend(body);
        b
    }

    fn kv_string(key: &str, value: &str) -> Vec<u8> {
        let mut b = (key.len() as u64).to_le_bytes().to_vec();
        b.extend(key.as_bytes());
        b.extend(8u32.to_le_bytes());
        b.extend((value.len() as u64).to_le_bytes());
        b.extend(value.as_bytes());
        b
    }

    #[test]
    fn reads_general_keys_and_skips_arrays() {
        let mut body = kv_string("general.architecture", "llama");
        // tokenizer.ggml.scores: an array of 3 f32.
        body.extend((21u64).to_le_bytes());
        body.extend(b"tokenizer.ggml.scores");
        body.extend(9u32.to_le_bytes());
        body.extend(6u32.to_le_bytes());
        body.extend(3u64.to_le_bytes());
        body.extend([0u8; 12]);
        body.extend(kv_string("general.name", "Tiny"));
        let facts = read_header(&header(3, 3, &body)).unwrap();
        assert_eq!(facts.architecture.as_deref(), Some("llama"));
        assert_eq!(facts.name.as_deref(), Some("Tiny"));
    }

    #[test]
    fn a_huge_kv_count_is_an_error_not_a_loop() {
        let err = read_header(&header(3, 1 << 63, &kv_string("general.name", "x"))).unwrap_err();
        assert!(err.to_string().contains("ends early"), "{err}");
    }

    #[test]
    fn a_string_past_the_end_is_an_error() {
        let mut body = (u64::MAX).to_le_bytes().to_vec();
        body.extend(b"general.name");
        let err = read_header(&header(3, 1, &body)).unwrap_err();
        assert!(err.to_string().contains("a key at byte 32"), "{err}");
    }

    #[test]
    fn an_array_of_u64_max_elements_is_an_error() {
        let mut body = 1u64.to_le_bytes().to_vec();
        body.extend(b"k");
        body.extend(9u32.to_le_bytes());
        body.extend(10u32.to_le_bytes());
        body.extend(u64::MAX.to_le_bytes());
        assert!(read_header(&header(3, 1, &body)).is_err());
    }

    #[test]
    fn deep_arrays_stop() {
        let mut body = 1u64.to_le_bytes().to_vec();
        body.extend(b"k");
        body.extend(9u32.to_le_bytes());
        for _ in 0..10 {
            body.extend(9u32.to_le_bytes());
            body.extend(1u64.to_le_bytes());
        }
        let err = read_header(&header(3, 1, &body)).unwrap_err();
        assert!(err.to_string().contains("nested"), "{err}");
    }

    #[test]
    fn not_gguf_and_bad_versions() {
        assert!(read_header(b"").is_err());
        assert!(read_header(b"GGML\x01\0\0\0").is_err());
        let big_endian = header(0x0300_0000, 0, &[]);
        assert!(read_header(&big_endian)
            .unwrap_err()
            .to_string()
            .contains("big-endian"));
    }
}
