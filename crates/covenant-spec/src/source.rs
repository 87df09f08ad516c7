//! Reading a spec file into a JSON value, and mapping JSON Pointers back to
//! line/column positions in the original text for diagnostics.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{Map, Number, Value};

use crate::error::{LoadError, Location};
use crate::pointer;

/// A parsed spec file: its text, its JSON value, and a lazily built index from
/// JSON Pointer to source position (built only when a diagnostic needs it, so
/// loading a 4 MB spec pays nothing for positions it never reports).
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    pub value: Value,
    positions: OnceLock<HashMap<String, (usize, usize)>>,
}

impl SourceFile {
    /// Reads and parses `path`. `.json` files are parsed as JSON, anything else as YAML.
    pub fn read(path: &Path) -> Result<SourceFile, LoadError> {
        let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|e| LoadError::Syntax {
            location: Location::file(path),
            message: format!(
                "file is not valid UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        })?;
        Self::parse(path, text)
    }

    /// Parses `text` as the content of `path` (the path only decides the format and
    /// appears in diagnostics).
    pub fn parse(path: &Path, text: String) -> Result<SourceFile, LoadError> {
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let value = if is_json {
            serde_json::from_str::<Value>(&text).map_err(|e| LoadError::Syntax {
                location: Location::at(path, e.line(), e.column(), None),
                message: format!("invalid JSON: {e}"),
            })?
        } else {
            let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).map_err(|e| {
                let (line, col) = e
                    .location()
                    .map(|l| (l.line(), l.column()))
                    .unwrap_or((0, 0));
                LoadError::Syntax {
                    location: Location::at(path, line, col, None),
                    message: format!("invalid YAML: {e}"),
                }
            })?;
            yaml_to_json(yaml, "").map_err(|(pointer, message)| LoadError::Syntax {
                location: Location::at(path, 0, 0, Some(pointer)),
                message,
            })?
        };
        let file = SourceFile {
            path: path.to_path_buf(),
            text,
            value,
            positions: OnceLock::new(),
        };
        Ok(file)
    }

    /// Where the node at `pointer` starts (1-based line and column). Falls back to the
    /// nearest ancestor that has a position.
    pub fn position(&self, pointer: &str) -> Option<(usize, usize)> {
        let index = self.positions.get_or_init(|| index_positions(&self.text));
        let mut p = pointer;
        loop {
            if let Some(pos) = index.get(p) {
                return Some(*pos);
            }
            if p.is_empty() {
                return None;
            }
            p = &p[..p.rfind('/').unwrap_or(0)];
        }
    }

    /// A diagnostic location for `pointer` in this file.
    pub fn locate(&self, pointer: &str) -> Location {
        let (line, col) = self.position(pointer).unwrap_or((0, 0));
        Location::at(&self.path, line, col, Some(pointer.to_string()))
    }
}

/// Converts a YAML value to JSON. Mapping keys are stringified (OpenAPI writes status
/// codes as `200:`), merge keys are applied, tags are dropped. Errors name the pointer.
fn yaml_to_json(value: serde_yaml_ng::Value, at: &str) -> Result<Value, (String, String)> {
    use serde_yaml_ng::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                Value::Number(u.into())
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                Value::Number(Number::from_f64(f).ok_or_else(|| {
                    (
                        at.to_string(),
                        format!("number {f} cannot be represented in JSON"),
                    )
                })?)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| yaml_to_json(v, &format!("{at}/{i}")))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(mut map) => {
            if map.contains_key("<<") {
                let mut m = Y::Mapping(map);
                m.apply_merge()
                    .map_err(|e| (at.to_string(), format!("invalid YAML merge key: {e}")))?;
                map = match m {
                    Y::Mapping(m) => m,
                    _ => unreachable!("apply_merge keeps a mapping a mapping"),
                };
            }
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_string(),
                    other => {
                        return Err((
                            at.to_string(),
                            format!("unsupported mapping key {other:?}: keys must be scalars"),
                        ));
                    }
                };
                let child = format!("{at}/{}", pointer::escape(&key));
                let v = yaml_to_json(v, &child)?;
                out.insert(key, v);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => yaml_to_json(t.value, at)?,
    })
}

/// Builds pointer -> (line, column) for every node, using the YAML event stream
/// (JSON is YAML, so this serves both). Mapping members point at their key.
/// yaml-rust2 lines are 1-based, columns 0-based; we report both 1-based.
fn index_positions(text: &str) -> HashMap<String, (usize, usize)> {
    use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
    use yaml_rust2::scanner::Marker;

    enum Frame {
        Map { prefix: String, key: Option<String> },
        Seq { prefix: String, next: usize },
    }
    struct Indexer {
        out: HashMap<String, (usize, usize)>,
        stack: Vec<Frame>,
        started: bool,
    }
    impl Indexer {
        /// The pointer of a node starting now, or None if the node is a mapping key.
        fn node_pointer(&mut self, mark: Marker, scalar: Option<&str>) -> Option<String> {
            match self.stack.last_mut() {
                None => {
                    if self.started {
                        return None; // a second document: ignored
                    }
                    self.started = true;
                    Some(String::new())
                }
                Some(Frame::Seq { prefix, next }) => {
                    let p = format!("{prefix}/{next}");
                    *next += 1;
                    self.out
                        .entry(p.clone())
                        .or_insert((mark.line(), mark.col() + 1));
                    Some(p)
                }
                Some(Frame::Map { prefix, key }) => match key.take() {
                    None => {
                        let k = scalar.unwrap_or("").to_string();
                        let p = format!("{prefix}/{}", pointer::escape(&k));
                        self.out.entry(p).or_insert((mark.line(), mark.col() + 1));
                        *key = Some(k);
                        None
                    }
                    Some(k) => Some(format!("{prefix}/{}", pointer::escape(&k))),
                },
            }
        }
    }
    impl MarkedEventReceiver for Indexer {
        fn on_event(&mut self, ev: Event, mark: Marker) {
            match ev {
                Event::Scalar(s, ..) => {
                    if let Some(p) = self.node_pointer(mark, Some(&s)) {
                        self.out.entry(p).or_insert((mark.line(), mark.col() + 1));
                    }
                }
                Event::Alias(_) => {
                    if let Some(p) = self.node_pointer(mark, None) {
                        self.out.entry(p).or_insert((mark.line(), mark.col() + 1));
                    }
                }
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    let is_map = matches!(ev, Event::MappingStart(..));
                    // A collection used as a mapping key is not addressable by a pointer.
                    let p = self.node_pointer(mark, None).unwrap_or_default();
                    self.out
                        .entry(p.clone())
                        .or_insert((mark.line(), mark.col() + 1));
                    self.stack.push(if is_map {
                        Frame::Map {
                            prefix: p,
                            key: None,
                        }
                    } else {
                        Frame::Seq { prefix: p, next: 0 }
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    self.stack.pop();
                }
                _ => {}
            }
        }
    }
    let mut indexer = Indexer {
        out: HashMap::new(),
        stack: Vec::new(),
        started: false,
    };
    let mut parser = Parser::new_from_str(text);
    // A parse error here only means fewer positions; the value was already parsed.
    let _ = parser.load(&mut indexer, false);
    indexer.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_point_at_keys_and_items() {
        let text = "openapi: 3.0.3\npaths:\n  /a:\n    get:\n      tags: [x, y]\n      responses:\n        '200':\n          description: ok\n".to_string();
        let f = SourceFile::parse(Path::new("t.yaml"), text).unwrap();
        assert_eq!(f.position("/paths/~1a/get"), Some((4, 5)));
        assert_eq!(f.position("/paths/~1a/get/tags/1"), Some((5, 17)));
        assert_eq!(
            f.position("/paths/~1a/get/responses/200/description"),
            Some((8, 11))
        );
        // Unknown child falls back to the nearest ancestor.
        assert_eq!(f.position("/paths/~1a/get/nothing/here"), Some((4, 5)));
    }

    #[test]
    fn json_positions() {
        let text = "{\n  \"openapi\": \"3.0.3\",\n  \"info\": {\"title\": \"t\"}\n}".to_string();
        let f = SourceFile::parse(Path::new("t.json"), text).unwrap();
        assert_eq!(f.position("/info/title").map(|p| p.0), Some(3));
    }

    #[test]
    fn integer_keys_become_strings() {
        let f = SourceFile::parse(Path::new("t.yaml"), "a:\n  200: x\n".into()).unwrap();
        assert_eq!(f.value["a"]["200"], "x");
    }

    #[test]
    fn bad_yaml_has_a_line() {
        let err = SourceFile::parse(Path::new("t.yaml"), "a: [1, 2\nb: c\n".into()).unwrap_err();
        let LoadError::Syntax { location, .. } = err else {
            panic!("{err}")
        };
        assert!(location.line > 0, "{location:?}");
    }
}
