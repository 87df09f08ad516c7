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

    /// The JSON Pointer (RFC 6901) text, e.g. `/documents/0/type`.
    pub fn to_pointer(&self) -> String {
        self.to_string()
    }
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
