//! Error answers in the provider's own style: the case `x-covenant-errors` declares
//! for a failure class, rendered by `covenant_spec::error_style`. A class the spec
//! does not describe falls back to a generic `application/problem+json` answer, said
//! once per class in the log.

use std::collections::HashSet;
use std::sync::Arc;

use bytes::Bytes;
use covenant_spec::Spec;
use covenant_spec::error_style::{self, ErrorInput, RenderedError};
use parking_lot::Mutex;

use crate::message::{Outgoing, media_header};

/// One provider's error answers.
pub struct ErrorAnswers {
    spec: Arc<Spec>,
    /// Classes whose fallback was already logged.
    fallback_logged: Mutex<HashSet<String>>,
}

impl ErrorAnswers {
    pub fn new(spec: Arc<Spec>) -> ErrorAnswers {
        ErrorAnswers {
            spec,
            fallback_logged: Mutex::new(HashSet::new()),
        }
    }

    /// An error answer of `class` in the provider's style (or the logged fallback).
    pub fn error(&self, class: &str, mut input: ErrorInput) -> Outgoing {
        let (case, fell_back) = error_style::case_for(&self.spec.covenant.errors, class);
        if fell_back && self.fallback_logged.lock().insert(class.to_string()) {
            tracing::info!(
                provider = %self.spec.provider,
                class,
                status = case.status,
                "the spec describes no `{class}` error (x-covenant-errors); answering with the generic application/problem+json fallback"
            );
        }
        if input.instance.is_empty() {
            input.instance = fresh_instance();
        }
        outgoing(error_style::render(&case, &input))
    }

    /// A generic `application/problem+json` answer with `status`, for answers that
    /// are not a provider failure class (route misses, impossible scenarios).
    pub fn generic(&self, status: u16, message: String) -> Outgoing {
        let case = error_style::fallback_case("internal");
        outgoing(error_style::render(
            &case,
            &ErrorInput {
                status: Some(status),
                message: Some(message),
                instance: fresh_instance(),
                ..Default::default()
            },
        ))
    }
}

fn fresh_instance() -> String {
    format!("urn:uuid:{}", uuid::Uuid::new_v4())
}

fn outgoing(r: RenderedError) -> Outgoing {
    Outgoing {
        status: r.status,
        content_type: r.content_type.as_deref().and_then(media_header),
        headers: r.headers,
        body: r
            .body
            .map(|b| Bytes::from(serde_json::to_vec(&b).unwrap_or_default()))
            .unwrap_or_default(),
    }
}
