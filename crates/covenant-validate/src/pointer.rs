//! A JSON Pointer built while walking a value: pushing a segment returns a mark to
//! truncate back to, so validation allocates nothing on the happy path.

use std::fmt::Write;

thread_local! {
    /// One pointer buffer per thread, reused across `Validate::validate` calls.
    static BUFFER: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

/// A growing JSON Pointer (RFC 6901), e.g. `/documents/0/type`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pointer(String);

impl Pointer {
    /// The empty pointer (the whole document).
    pub fn root() -> Self {
        Pointer(String::new())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Appends a property name (escaped per RFC 6901); returns the mark to truncate to.
    #[inline]
    pub fn push(&mut self, name: &str) -> usize {
        let mark = self.0.len();
        self.0.push('/');
        if name.contains(['~', '/']) {
            for c in name.chars() {
                match c {
                    '~' => self.0.push_str("~0"),
                    '/' => self.0.push_str("~1"),
                    c => self.0.push(c),
                }
            }
        } else {
            self.0.push_str(name);
        }
        mark
    }

    /// Appends an array index; returns the mark to truncate to.
    #[inline]
    pub fn push_index(&mut self, index: usize) -> usize {
        let mark = self.0.len();
        self.0.push('/');
        if index < 10 {
            // The common case, without the formatting machinery.
            self.0.push(char::from(b'0' + index as u8));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(self.0, "{index}");
        }
        mark
    }

    /// The root pointer, reusing this thread's buffer from an earlier [`Pointer::recycle`]
    /// so that validating a value allocates nothing on the happy path.
    pub(crate) fn reuse() -> Self {
        let mut buf = BUFFER.with(std::cell::Cell::take);
        buf.clear();
        Pointer(buf)
    }

    /// Hands the buffer back for the next [`Pointer::reuse`] on this thread.
    pub(crate) fn recycle(self) {
        BUFFER.with(|b| b.set(self.0));
    }

    /// Restores the pointer to a mark returned by `push`/`push_index`.
    #[inline]
    pub fn truncate(&mut self, mark: usize) {
        self.0.truncate(mark);
    }
}

impl std::fmt::Display for Pointer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
