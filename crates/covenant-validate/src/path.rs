//! Where a value sits in the document being validated, as a chain of stack frames.
//!
//! Descending into a field or an array element builds a [`Path`] on the stack that
//! borrows its parent: no string is touched on the happy path. The JSON Pointer text
//! is rendered only when a violation is recorded.

use std::fmt;

/// The location of a value: the root, or a property/index below a parent location.
///
/// ```
/// use covenant_validate::Path;
/// let root = Path::Root;
/// let docs = root.key("documents");
/// let first = docs.index(0);
/// assert_eq!(first.key("type").to_string(), "/documents/0/type");
/// assert_eq!(Path::Root.key("a/b~c").to_string(), "/a~1b~0c");
/// assert_eq!(first.key("a/b~c").to_pointer(), "/documents/0/a~1b~0c");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path<'a> {
    /// The whole document (the empty pointer).
    Root,
    /// A property (wire name, unescaped) of the value at the parent location.
    Key(&'a Path<'a>, &'a str),
    /// An array element of the value at the parent location.
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    /// The location of property `name` (its wire name) below this one.
    #[inline]
    pub fn key(&'a self, name: &'a str) -> Path<'a> {
        Path::Key(self, name)
    }

    /// The location of array element `index` below this one.
    #[inline]
    pub fn index(&'a self, index: usize) -> Path<'a> {
        Path::Index(self, index)
    }

    /// The JSON Pointer (RFC 6901) text, e.g. `/documents/0/type`, built in one
    /// allocation of the exact size.
    pub fn to_pointer(&self) -> String {
        let mut out = String::with_capacity(self.pointer_len());
        self.write_into(&mut out);
        out
    }

    /// The pointer as a violation keeps it: inline (no allocation) up to 24 bytes.
    /// Written leaf first into the end of a stack buffer, then copied once; a
    /// pointer longer than the buffer or with escapes takes the general writer.
    pub(crate) fn compact_pointer(&self) -> compact_str::CompactString {
        let mut buf = [0u8; 96];
        let mut start = buf.len();
        let mut cur = self;
        let general = || {
            let mut out = compact_str::CompactString::with_capacity(self.pointer_len());
            self.write_into(&mut out);
            out
        };
        loop {
            match cur {
                Path::Root => break,
                Path::Key(parent, name) => {
                    let name = name.as_bytes();
                    if name.len() >= start || name.iter().any(|&b| b == b'~' || b == b'/') {
                        return general();
                    }
                    start -= name.len();
                    buf[start..start + name.len()].copy_from_slice(name);
                    start -= 1;
                    buf[start] = b'/';
                    cur = parent;
                }
                Path::Index(parent, i) => {
                    // `usize::MAX` has 20 digits.
                    if start < 21 {
                        return general();
                    }
                    start = digits_before(&mut buf, start, *i);
                    start -= 1;
                    buf[start] = b'/';
                    cur = parent;
                }
            }
        }
        let text = &buf[start..];
        debug_assert!(std::str::from_utf8(text).is_ok());
        // SAFETY: `buf[start..]` holds only whole names copied from `&str`s and the
        // ASCII bytes `/` and `0`-`9`, so it is UTF-8. (Checking it again cost an
        // eighth of `validate()` on a typical invalid payload.)
        compact_str::CompactString::new(unsafe { std::str::from_utf8_unchecked(text) })
    }

    /// The length in bytes of the pointer text.
    fn pointer_len(&self) -> usize {
        let mut len = 0;
        let mut cur = self;
        loop {
            match cur {
                Path::Root => return len,
                Path::Key(parent, name) => {
                    len += 1 + name.len() + escapes(name);
                    cur = parent;
                }
                Path::Index(parent, i) => {
                    len += 1 + i.checked_ilog10().unwrap_or(0) as usize + 1;
                    cur = parent;
                }
            }
        }
    }

    /// Appends the pointer, root first. Recursive: as deep as the validation walk that
    /// built this path, which recursed as deep already.
    fn write_into(&self, out: &mut impl Sink) {
        match self {
            Path::Root => {}
            Path::Key(parent, name) => {
                parent.write_into(out);
                out.push_str("/");
                if escapes(name) > 0 {
                    for c in name.chars() {
                        match c {
                            '~' => out.push_str("~0"),
                            '/' => out.push_str("~1"),
                            c => out.push_str(c.encode_utf8(&mut [0; 4])),
                        }
                    }
                } else {
                    out.push_str(name);
                }
            }
            Path::Index(parent, i) => {
                parent.write_into(out);
                out.push_str("/");
                let mut digits = [0u8; 20];
                let at = digits_before(&mut digits, 20, *i);
                // ASCII digits: always UTF-8.
                out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
            }
        }
    }
}

/// Writes the decimal digits of `n` so that they end just before `end`; returns
/// where they start. `buf[..end]` must have room for them (20 bytes always do).
fn digits_before(buf: &mut [u8], mut end: usize, mut n: usize) -> usize {
    loop {
        end -= 1;
        buf[end] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return end;
        }
    }
}

/// Where a pointer is written.
trait Sink {
    fn push_str(&mut self, s: &str);
}

impl Sink for String {
    #[inline]
    fn push_str(&mut self, s: &str) {
        String::push_str(self, s)
    }
}

impl Sink for compact_str::CompactString {
    #[inline]
    fn push_str(&mut self, s: &str) {
        compact_str::CompactString::push_str(self, s)
    }
}

/// How many characters of a property name RFC 6901 escapes (`~` and `/`).
#[inline]
fn escapes(name: &str) -> usize {
    name.bytes().filter(|&b| b == b'~' || b == b'/').count()
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Segments are collected leaf-first, then written root-first. Iterative, so a
        // deep path cannot overflow the stack here.
        let mut segments = Vec::new();
        let mut cur = self;
        loop {
            match cur {
                Path::Root => break,
                Path::Key(parent, _) | Path::Index(parent, _) => {
                    segments.push(cur);
                    cur = parent;
                }
            }
        }
        for seg in segments.iter().rev() {
            f.write_str("/")?;
            match seg {
                Path::Key(_, name) if !name.contains(['~', '/']) => f.write_str(name)?,
                Path::Key(_, name) => {
                    for c in name.chars() {
                        match c {
                            '~' => f.write_str("~0")?,
                            '/' => f.write_str("~1")?,
                            c => fmt::Write::write_char(f, c)?,
                        }
                    }
                }
                Path::Index(_, i) => write!(f, "{i}")?,
                Path::Root => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-allocation pointer and the `Display` rendering agree, escapes and
    /// multi-digit indices included, and the size computed up front is exact.
    #[test]
    fn to_pointer_matches_display() {
        let root = Path::Root;
        assert_eq!(root.to_pointer(), "");
        for name in ["a", "a/b", "~", "~1/", "ä/ö", "größe", "名前", ""] {
            let k = root.key(name);
            for i in [0, 7, 10, 99, 12345, usize::MAX] {
                let at = k.index(i);
                let leaf = at.key(name);
                for p in [k, at, leaf] {
                    let text = p.to_pointer();
                    assert_eq!(text, p.to_string());
                    assert_eq!(text.capacity(), text.len(), "{text}");
                    assert_eq!(p.compact_pointer(), text);
                }
            }
        }
    }

    /// The stack-buffer path of `compact_pointer` and its fallbacks (longer than the
    /// buffer, escapes) write the same text.
    #[test]
    fn compact_pointer_matches_display_at_every_length() {
        let long = "x".repeat(40);
        let names = ["documents", "a", long.as_str()];
        let mut chain = vec![Path::Root];
        // Grow a chain past the 96-byte buffer, checking each prefix.
        for step in 0..12 {
            let parent: &Path<'_> = Box::leak(Box::new(*chain.last().unwrap()));
            let next = if step % 2 == 0 {
                parent.key(names[step / 2 % names.len()])
            } else {
                parent.index(step * 1000)
            };
            chain.push(next);
            assert_eq!(next.compact_pointer(), next.to_string());
            assert_eq!(
                next.key("a/b").compact_pointer(),
                next.key("a/b").to_string()
            );
        }
        assert!(chain.last().unwrap().to_pointer().len() > 96);
    }
}
