//! A request judged without being answered, for a proxy in front of a real
//! provider (`covenant proxy`): the operation it routes to, and every way it breaks
//! the operation's parameters and body, with the answer the mock would give it in
//! the provider's style. The steps are the engine's own (routing, body reading,
//! parameter and body validation), so "what the proxy flags" and "what the mock
//! refuses" cannot disagree. Credentials, scenarios and idempotency are left out:
//! the proxy does not know the provider's secrets, and the provider keeps its own
//! state.

use covenant_spec::error_style::FieldError;
use serde_json::Value;

use crate::engine::Provider;
use crate::message::{Incoming, Outgoing};
use crate::request::{Sources, parse_query};

/// What [`Provider::inspect`] learns of a request.
#[derive(Debug)]
pub struct Inspection {
    /// The index of the operation that serves it (in the spec's operations).
    pub operation: Option<usize>,
    /// The path parameters' values, as the path carried them.
    pub path_params: Vec<(String, String)>,
    /// The query pairs, decoded.
    pub query: Vec<(String, String)>,
    /// The body read as JSON (a JSON body, or a form read by its schema).
    pub body: Option<Value>,
    /// How the request breaks the contract, if it does.
    pub refusal: Option<Refusal>,
}

/// A request that breaks the contract.
#[derive(Debug)]
pub struct Refusal {
    /// The failure class (`validation`, `malformed`, `unsupported-media-type`, or
    /// `not-found` for a request no operation serves).
    pub class: &'static str,
    /// Why, when it is not a list of fields.
    pub message: Option<String>,
    /// Each broken field: a body pointer or a parameter name.
    pub violations: Vec<FieldError>,
    /// What the mock answers it with: the provider's error style.
    pub answer: Outgoing,
}

impl Provider {
    /// Judges `req` against the contract without answering it (see the module docs).
    pub fn inspect(&self, req: &Incoming) -> Inspection {
        let query = parse_query(req.query.as_deref());
        let mut out = Inspection {
            operation: None,
            path_params: Vec::new(),
            query,
            body: None,
            refusal: None,
        };
        let (ci, path_params) = match self.route(req) {
            Ok(routed) => routed,
            Err(answer) => {
                out.refusal = Some(Refusal {
                    class: "not-found",
                    message: Some(format!(
                        "no operation of the spec serves {} {}",
                        req.method, req.path
                    )),
                    violations: Vec::new(),
                    answer,
                });
                return out;
            }
        };
        out.operation = Some(ci);
        // An operation the mock cannot compile cannot be judged: no refusal.
        let Ok(c) = self.compiled(ci) else {
            out.path_params = path_params;
            return out;
        };
        let body = match self.read_body(c, req) {
            Ok(body) => body,
            Err((class, message)) => {
                let answer = self.error(
                    Some(ci),
                    class,
                    covenant_spec::error_style::ErrorInput {
                        message: Some(message.clone()),
                        ..Default::default()
                    },
                );
                out.path_params = path_params;
                out.refusal = Some(Refusal {
                    class,
                    message: Some(message),
                    violations: Vec::new(),
                    answer,
                });
                return out;
            }
        };
        let sources = Sources {
            path: &path_params,
            query: &out.query,
            headers: &req.headers,
        };
        if let Err(violations) = self.violations(c, &sources, body.as_ref()) {
            let answer = self.error(
                Some(ci),
                "validation",
                covenant_spec::error_style::ErrorInput {
                    violations: violations.clone(),
                    ..Default::default()
                },
            );
            out.refusal = Some(Refusal {
                class: "validation",
                message: None,
                violations,
                answer,
            });
        }
        out.body = body.map(|(_, b)| b);
        out.path_params = path_params;
        out
    }
}
