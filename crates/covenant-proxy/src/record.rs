//! `--record DIR`: the exchanges as a `covenant snapshot` recording. Each exchange
//! is one step named `<operationId>/observed/<n>` (n counts that operation's
//! exchanges in arrival order), so two sessions that send the same traffic line up
//! exchange by exchange and `covenant snapshot --compare` (with `--from`) diffs
//! them. The recording is kept in memory (at most [`MAX_EXCHANGES`]) and written
//! once, at the end, through the session's redactor: nothing unredacted is
//! written.

use std::collections::BTreeMap;
use std::path::Path;

use covenant_snapshot::record::{RawExchange, RawRequest, RawResponse, Recording, Step};

use crate::exchange::Observed;
use crate::repro::Redaction;
use crate::verdict::Judge;
use crate::{ProxyError, ProxyOptions};

/// Exchanges a recording keeps; later ones are counted, not kept.
pub const MAX_EXCHANGES: usize = 10_000;

#[derive(Default)]
pub struct Recorder {
    exchanges: Vec<RawExchange>,
    per_op: BTreeMap<String, usize>,
    dropped: usize,
}

impl Recorder {
    pub fn push(&mut self, judge: &Judge, o: &Observed) {
        if self.exchanges.len() >= MAX_EXCHANGES {
            self.dropped += 1;
            return;
        }
        let plan = judge.plan(o);
        let operation = plan
            .map(|p| p.op.id.clone())
            .unwrap_or_else(|| "(no operation)".into());
        let n = self.per_op.entry(operation.clone()).or_default();
        let id = format!("{operation}/observed/{n}");
        *n += 1;
        let has_credentials = o.request.headers.contains_key(http::header::AUTHORIZATION)
            || judge.spec.security_schemes.values().any(|s| match s {
                covenant_spec::SecurityScheme::ApiKey { name, .. } => {
                    o.request.headers.contains_key(name.as_str())
                        || o.inspection.query.iter().any(|(k, _)| k == name)
                }
                _ => false,
            });
        let request = RawRequest {
            method: o.request.method.as_str().into(),
            path: plan
                .map(|p| p.op.path.clone())
                .unwrap_or_else(|| o.request.path.clone()),
            path_params: o.inspection.path_params.clone(),
            query: o.inspection.query.clone(),
            headers: o
                .request
                .headers
                .iter()
                .filter(|(k, _)| *k != http::header::HOST && *k != http::header::CONTENT_LENGTH)
                .map(|(k, v)| {
                    (
                        k.as_str().into(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: (!o.request.body.is_empty()).then(|| o.request.body.to_vec()),
            auth: if has_credentials { "sent" } else { "none" }.into(),
        };
        let response = match &o.outcome {
            Ok(a) => RawResponse::Answer {
                status: a.status,
                headers: a.headers.clone(),
                body: a.body.clone(),
            },
            Err(e) => RawResponse::Failed(e.clone()),
        };
        self.exchanges.push(RawExchange {
            id,
            operation,
            kind: if o.enforced {
                "refused_by_proxy"
            } else {
                "observed"
            }
            .into(),
            breaks: None,
            note: None,
            steps: vec![Step { request, response }],
        });
    }

    /// Writes `<provider>.snap` into `dir`, redacted by the session's redactor.
    pub fn write(
        self,
        options: &ProxyOptions,
        redaction: &mut Redaction,
        dir: &Path,
    ) -> Result<(), ProxyError> {
        let mut exchanges = self.exchanges;
        if self.dropped > 0
            && let Some(last) = exchanges.last_mut()
        {
            last.note = Some(format!(
                "{} later exchange(s) not recorded (limit {MAX_EXCHANGES})",
                self.dropped
            ));
        }
        let recording = Recording {
            // As `covenant snapshot` names it, so the two compare.
            provider: options.spec.provider.clone(),
            seed: 0,
            exchanges,
            secrets: Vec::new(),
        };
        let snapshot =
            covenant_snapshot::normalise::normalise_with(&mut redaction.redactor, &recording);
        covenant_snapshot::write_snapshot(dir, &snapshot)
            .map(|_| ())
            .map_err(|e| ProxyError::Report(e.to_string()))
    }
}
