//! `covenant lint`: every problem in a spec as a located diagnostic.

use std::path::Path;

use serde_json::Value;

use crate::error::{Diagnostic, LoadError, Severity};
use crate::ext::Extensions;
use crate::http::{ParameterLocation, StatusCode};
use crate::ir::Spec;
use crate::source::SourceFile;
use crate::view::{self, Direction};
use crate::{document, walk};

/// The result of linting one file.
#[derive(Debug)]
pub enum LintOutcome {
    /// The file could not be read or parsed as OpenAPI 3.0 at all.
    Unreadable(LoadError),
    /// Diagnostics, sorted by position; may be empty.
    Checked(Vec<Diagnostic>),
}

impl LintOutcome {
    pub fn has_errors(&self) -> bool {
        match self {
            LintOutcome::Unreadable(_) => true,
            LintOutcome::Checked(d) => d.iter().any(|d| d.severity == Severity::Error),
        }
    }
}

/// Lints the spec at `path`.
pub fn lint_file(path: &Path) -> LintOutcome {
    match SourceFile::read(path) {
        Ok(source) => lint_source(source),
        Err(e) => LintOutcome::Unreadable(e),
    }
}

pub fn lint_source(source: SourceFile) -> LintOutcome {
    let mut out = Vec::new();
    match document::check_document(&source) {
        Ok(_) => {}
        Err(e @ (LoadError::Syntax { .. } | LoadError::Version { .. } | LoadError::Io { .. })) => {
            return LintOutcome::Unreadable(e);
        }
        Err(LoadError::Structure { location, message }) => out.push(Diagnostic {
            severity: Severity::Error,
            code: "structure",
            message: format!("not a valid OpenAPI 3.0 document: {message}"),
            location,
        }),
        Err(LoadError::Invalid(d)) => out.extend(d),
    }
    let ref_diags = document::check_refs(&source);
    let refs_ok = !ref_diags.iter().any(|d| d.severity == Severity::Error);
    out.extend(ref_diags);
    if let Err(d) = Extensions::parse(&source) {
        out.extend(d);
    }
    let structure_ok = !out.iter().any(|d| d.code == "structure");
    if refs_ok && structure_ok {
        match Spec::from_source(source) {
            Ok(spec) => {
                out.extend(spec.warnings.iter().cloned());
                semantic_checks(&spec, &mut out);
            }
            Err(LoadError::Invalid(d)) => out.extend(d),
            Err(e) => return LintOutcome::Unreadable(e),
        }
    }
    out.sort_by(|a, b| {
        (
            a.location.line,
            a.location.column,
            &a.location.pointer,
            a.code,
        )
            .cmp(&(
                b.location.line,
                b.location.column,
                &b.location.pointer,
                b.code,
            ))
    });
    out.dedup();
    LintOutcome::Checked(out)
}

fn semantic_checks(spec: &Spec, out: &mut Vec<Diagnostic>) {
    let err = |code, pointer: &str, message: String| Diagnostic {
        severity: Severity::Error,
        code,
        message,
        location: spec.locate(pointer),
    };
    let warn = |code, pointer: &str, message: String| Diagnostic {
        severity: Severity::Warning,
        code,
        message,
        location: spec.locate(pointer),
    };
    for op in &spec.operations {
        // Non-standard path keys covenant still routes (recorded in ARCHITECTURE.md).
        if let Some((_, q)) = op.path.split_once('?') {
            out.push(warn(
                "nonstandard-path",
                &op.pointer,
                format!(
                    "`{}` holds a literal query (`{q}`): OpenAPI path keys are path templates only; covenant routes it by path and requires `{q}` in the query",
                    op.path
                ),
            ));
        }
        if op
            .path
            .split('/')
            .any(|seg| seg.contains(';') && !(seg.starts_with('{') && seg.ends_with('}')))
        {
            out.push(warn(
                "nonstandard-path",
                &op.pointer,
                format!(
                    "`{}` writes a matrix segment literally: a path parameter with `style: matrix` says the same in OpenAPI; covenant matches the literal text around the template",
                    op.path
                ),
            ));
        }
        // Path template vs path parameters.
        let vars = template_vars(&op.path);
        for v in &vars {
            if !op
                .parameters_in(ParameterLocation::Path)
                .any(|p| &p.name == v)
            {
                out.push(err(
                    "path-param",
                    &op.pointer,
                    format!("`{{{v}}}` in `{}` has no path parameter", op.path),
                ));
            }
        }
        for p in op.parameters_in(ParameterLocation::Path) {
            if !vars.contains(&p.name) {
                out.push(err(
                    "path-param",
                    &p.pointer,
                    format!(
                        "path parameter `{}` does not appear in `{}`",
                        p.name, op.path
                    ),
                ));
            }
            if !p.required {
                out.push(err(
                    "path-param",
                    &p.pointer,
                    format!("path parameter `{}` must be required", p.name),
                ));
            }
        }
        let documents_errors = op.responses.iter().any(|r| match r.status {
            crate::StatusCode::Code(c) => c >= 400,
            crate::StatusCode::Range(k) => k >= 4,
            crate::StatusCode::Default => true,
        });
        if !documents_errors {
            out.push(warn(
                "no-error-response",
                &op.pointer,
                format!(
                    "{} {} documents no error response (no 4xx/5xx code, range or `default`): every refusal it makes is undocumented, so `covenant run` cannot judge refusal statuses there",
                    op.method, op.path
                ),
            ));
        }
        if !op.responses.iter().any(|r| r.status.is_success()) {
            out.push(err(
                "no-success",
                &op.pointer,
                format!("{} {} documents no 2xx response", op.method, op.path),
            ));
        }
        // Examples against their schemas.
        for p in &op.parameters {
            if let (Some(ex), Some(site)) = (&p.example, &p.schema) {
                check_instance(
                    spec,
                    &site.schema,
                    site.direction,
                    ex,
                    &p.pointer,
                    "example",
                    out,
                );
            }
        }
        let bodies = op
            .request_body
            .iter()
            .flat_map(|b| b.content.iter())
            .chain(op.responses.iter().flat_map(|r| r.content.iter()));
        for mt in bodies {
            let Some(site) = &mt.schema else { continue };
            for ex in &mt.examples {
                if mt.is_json() {
                    check_instance(
                        spec,
                        &site.schema,
                        site.direction,
                        &ex.value,
                        &ex.pointer,
                        "example",
                        out,
                    );
                }
            }
        }
    }
    // Schema-level examples and enums, in components and inline.
    let doc = spec.document();
    let mut roots: Vec<(String, &Value)> = spec
        .schemas
        .keys()
        .filter_map(|name| {
            let p = Spec::schema_pointer(name);
            doc.pointer(&p).map(|v| (p, v))
        })
        .collect();
    for op in &spec.operations {
        let sites = op
            .parameters
            .iter()
            .filter_map(|p| p.schema.as_ref())
            .chain(
                op.request_body
                    .iter()
                    .flat_map(|b| b.content.iter())
                    .filter_map(|m| m.schema.as_ref()),
            )
            .chain(op.responses.iter().flat_map(|r| {
                r.content
                    .iter()
                    .filter_map(|m| m.schema.as_ref())
                    .chain(r.headers.iter().filter_map(|h| h.schema.as_ref()))
            }));
        for s in sites {
            if let Some(v) = doc.pointer(&s.pointer) {
                roots.push((s.pointer.clone(), v));
            }
        }
    }
    for (root, schema) in roots {
        walk::subschemas(&root, schema, |at, s| {
            if let Some(ex) = s.get("example") {
                check_instance(
                    spec,
                    s,
                    Direction::Response,
                    ex,
                    &crate::pointer::join(at, "example"),
                    "example",
                    out,
                );
            }
            // 3.1 schemas list examples (2020-12 `examples`); 3.0 has no such keyword.
            if spec.dialect == crate::Dialect::OpenApi31
                && let Some(examples) = s.get("examples").and_then(Value::as_array)
            {
                for (i, ex) in examples.iter().enumerate() {
                    check_instance(
                        spec,
                        s,
                        Direction::Response,
                        ex,
                        &format!("{at}/examples/{i}"),
                        "example",
                        out,
                    );
                }
            }
            if let Some(values) = s.get("enum").and_then(Value::as_array) {
                let mut without = s.clone();
                if let Some(m) = without.as_object_mut() {
                    m.remove("enum");
                }
                for (i, v) in values.iter().enumerate() {
                    check_instance(
                        spec,
                        &without,
                        Direction::Response,
                        v,
                        &format!("{at}/enum/{i}"),
                        "enum value",
                        out,
                    );
                }
            }
            if let Some(not) = s.get("not")
                && crate::idioms::forbidden_properties(not).is_none()
            {
                out.push(warn(
                    "unsupported",
                    at,
                    "`not` is validated, but the models check only the forbidden-properties form (`not: {anyOf: [{required: [name]}, ..]}`) and case generation ignores it"
                        .into(),
                ));
            }
            if s.get("discriminator").is_some()
                && s.get("oneOf").is_none()
                && s.get("anyOf").is_none()
            {
                out.push(warn("unsupported", at, "a discriminator without oneOf/anyOf (allOf inheritance) is not used for dispatch".into()));
            }
            // 3.1 schemas are 2020-12, where a `$ref`'s siblings apply beside it.
            if let Some(m) = s.as_object()
                && spec.dialect == crate::Dialect::OpenApi30
                && m.contains_key("$ref")
                && m.keys()
                    .any(|k| k != "$ref" && !k.starts_with("x-") && k != "description")
            {
                out.push(warn("ref-siblings", at, "keys beside `$ref` are ignored in OpenAPI 3.0; wrap the ref in allOf to combine".into()));
            }
        });
    }
    // Error style statuses should be documented somewhere.
    for (class, case) in &spec.covenant.errors.0 {
        let documented = spec.operations.iter().any(|op| {
            op.responses
                .iter()
                .any(|r| r.status.matches(case.status) && r.status != StatusCode::Default)
        });
        if !documented {
            out.push(warn(
                "error-style",
                &format!("/x-covenant-errors/{class}/status"),
                format!(
                    "error class `{class}` answers {} but no operation documents that status",
                    case.status
                ),
            ));
        }
    }
}

fn check_instance(
    spec: &Spec,
    schema: &Value,
    direction: Direction,
    instance: &Value,
    at: &str,
    what: &str,
    out: &mut Vec<Diagnostic>,
) {
    let js = spec.json_schema_of(schema, direction);
    match view::compile(&js) {
        Ok(v) => {
            for violation in view::violations(&v, instance) {
                out.push(Diagnostic {
                    severity: Severity::Error,
                    code: if what == "example" { "example" } else { "enum" },
                    message: format!(
                        "{what} fails its schema at `{}` ({}): {}",
                        violation.pointer, violation.keyword, violation.message
                    ),
                    location: spec.locate(at),
                });
            }
        }
        Err(e) => out.push(Diagnostic {
            severity: Severity::Error,
            code: "schema",
            message: format!("schema does not compile: {e}"),
            location: spec.locate(at),
        }),
    }
}

/// `/customers/{id}/x` -> `["id"]`.
pub fn template_vars(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start + 1..start + end].to_string());
        rest = &rest[start + end + 1..];
    }
    out
}
