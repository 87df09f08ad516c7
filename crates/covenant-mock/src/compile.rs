//! Compiling a spec's operations once, at start: for each, its route, compiled
//! parameters ([`crate::request::Param`]), request body validators by media type,
//! the planned success answer ([`crate::plan`]), and the `x-covenant` rules that
//! apply to it (resource role, idempotency).

use covenant_spec::ext::{Idempotency, Resource};
use covenant_spec::{Operation, ParameterLocation, Spec};

use crate::config::MockConfig;
use crate::json::Borrowed;
use crate::plan::{Success, plan_success};
use crate::request::{Param, Seg, segments};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{provider}: operation {operation}: {message}")]
    Operation {
        provider: String,
        operation: String,
        message: String,
    },
    #[error("{provider}: {message}")]
    Config { provider: String, message: String },
}

/// One media type a request body may be sent as.
pub struct CMedia {
    pub essence: String,
    pub json: bool,
    /// The body schema over `serde_json::Value`: explains a rejection.
    pub validator: Option<jsonschema::Validator>,
    /// The same schema over the borrowed body: the accept/reject answer.
    pub borrowed: Option<jsonschema::Validator<Borrowed>>,
    /// Request members declared exactly as the success body declares them: once the
    /// request validated, echoing them cannot break the answer (see
    /// [`crate::plan::same_members`]).
    pub trusted: Vec<String>,
}

/// One operation, ready to answer.
pub struct CompiledOp {
    pub op: Operation,
    pub method: http::Method,
    pub segments: Vec<Seg>,
    pub params: Vec<Param>,
    pub body_required: bool,
    pub media: Vec<CMedia>,
    pub success: Success,
    pub idempotency: Option<Idempotency>,
    pub resource: Option<Resource>,
}

/// Compiles operation `op`, the `index`-th of `spec`.
pub fn compile_op(
    spec: &Spec,
    config: &MockConfig,
    op: &Operation,
    index: usize,
) -> Result<CompiledOp, EngineError> {
    let err = |message: String| EngineError::Operation {
        provider: spec.provider.clone(),
        operation: op.id.clone(),
        message,
    };
    let method = http::Method::from_bytes(op.method.as_str().as_bytes())
        .map_err(|e| err(format!("method: {e}")))?;
    let params = op
        .parameters
        .iter()
        .filter(|p| p.location != ParameterLocation::Cookie)
        .map(|p| Param::compile(spec, p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(err)?;
    let mut media = Vec::new();
    let mut body_required = false;
    if let Some(rb) = &op.request_body {
        body_required = rb.required;
        for m in &rb.content {
            let (validator, borrowed) = match (&m.schema, m.is_json()) {
                (Some(site), true) => {
                    let view = spec.json_schema(site);
                    let bad = |e: String| err(format!("request body {}: {e}", m.media_type));
                    (
                        Some(covenant_spec::view::compile(&view).map_err(bad)?),
                        Some(covenant_spec::view::compile_for::<Borrowed>(&view).map_err(bad)?),
                    )
                }
                _ => (None, None),
            };
            media.push(CMedia {
                essence: m.essence(),
                json: m.is_json(),
                validator,
                borrowed,
                trusted: Vec::new(),
            });
        }
    }
    let resource = spec.covenant.resources.get(&op.pointer).cloned();
    let idempotency = spec.covenant.idempotency.get(&op.pointer).cloned();
    let (success, trusted) =
        plan_success(spec, config, op, index, resource.as_ref()).map_err(err)?;
    for (cm, t) in media.iter_mut().zip(trusted) {
        if cm.validator.is_some() {
            cm.trusted = t;
        }
    }
    Ok(CompiledOp {
        op: op.clone(),
        method,
        segments: segments(&op.path),
        params,
        body_required,
        media,
        success,
        idempotency,
        resource,
    })
}
