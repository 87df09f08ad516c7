//! `covenant check`: every provider of `covenant.toml`, each against its live base
//! URL or an embedded mock started in-process on 127.0.0.1:0 (given the same
//! credentials the runner sends), one report for all.

use std::sync::Arc;

use covenant_spec::{SecurityScheme, Spec};

use crate::config::{Config, Credentials, resolve_credentials, sources_for};
use crate::report::{CredentialScrubber, ProviderReport, Report, Timing, rfc3339};
use crate::run::{Progress, RunOptions, Target, new_report, run_target};

/// The base URL reproductions print for an embedded mock (its port is ephemeral):
/// start `covenant mock --spec <spec>` and export this variable to replay them.
pub const MOCK_URL_VAR: &str = "$COVENANT_MOCK_URL";

/// Runs every provider of `config`. Providers that cannot run get an `error` in the
/// report (exit 2); the others run regardless.
pub async fn check(
    config: &Config,
    opts: &RunOptions,
    progress: Option<Progress>,
) -> (Report, CredentialScrubber) {
    let started = std::time::SystemTime::now();
    let clock = std::time::Instant::now();
    let mut providers = Vec::new();
    let mut scrubber = CredentialScrubber::default();
    for (name, p) in &config.providers {
        let failed = |error: String| ProviderReport {
            name: name.clone(),
            spec: p.spec.display().to_string(),
            base_url: p.base_url.clone(),
            error: Some(error),
            cases: 0,
            requests: 0,
            operations: Vec::new(),
            violations: Vec::new(),
            coverage_totals: Default::default(),
            coverage_gate: Vec::new(),
        };
        let spec = match Spec::load(config.spec_path(p)) {
            Ok(mut s) => {
                let off: Vec<&String> = p.no_infer.iter().chain(&opts.no_infer).collect();
                if !off.is_empty() {
                    covenant_spec::infer::reinfer_without(&mut s, |o| {
                        off.iter().any(|x| crate::run::selects(x, o))
                    });
                }
                Arc::new(s)
            }
            Err(e) => {
                providers.push(failed(e.to_string()));
                continue;
            }
        };
        let mock_config = if p.is_mock() {
            match covenant_mock::MockConfig::load(config.path.as_deref()) {
                Ok(m) => Some(m),
                Err(e) => {
                    providers.push(failed(e.to_string()));
                    continue;
                }
            }
        } else {
            None
        };
        // Schemes covenant.toml leaves out get implied variables (and, for the
        // embedded mock, its local values), so no config is needed to start.
        let sources = sources_for(
            name,
            &spec,
            &p.credentials,
            mock_config.as_ref().map(|m| &m.credentials),
        );
        let creds = match resolve_credentials(&config.root, &sources) {
            Ok(c) => c,
            Err(e) => {
                providers.push(failed(e.to_string()));
                continue;
            }
        };
        scrubber.add_credentials(&creds);
        let exclude: Vec<String> = p
            .exclude_operations
            .iter()
            .chain(&opts.exclude)
            .cloned()
            .collect();
        let env_vars = sources
            .iter()
            .map(|(scheme, s)| (scheme.clone(), s.env_names()))
            .collect();
        let report = if let Some(mut mock_config) = mock_config {
            give_credentials(&spec, &creds, &mut mock_config);
            let listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
            let server = match covenant_mock::start_spec(spec.clone(), mock_config, listen).await {
                Ok(s) => s,
                Err(e) => {
                    providers.push(failed(format!("embedded mock: {e}")));
                    continue;
                }
            };
            let mut target = Target::new(name, spec, &server.url(), creds);
            target.credential_vars = env_vars;
            target.exclude = exclude;
            target.shown_base_url = MOCK_URL_VAR.into();
            let mut r = run_target(&target, opts, progress.clone()).await;
            r.base_url = format!("mock ({MOCK_URL_VAR})");
            server.shutdown().await;
            r
        } else {
            let mut target = Target::new(name, spec, &p.base_url, creds);
            target.credential_vars = env_vars;
            target.exclude = exclude;
            run_target(&target, opts, progress.clone()).await
        };
        providers.push(report);
    }
    let timing = Timing {
        started_at: rfc3339(started),
        duration_ms: clock.elapsed().as_millis() as u64,
    };
    (new_report(opts, providers, timing), scrubber)
}

/// Makes the mock accept exactly the credentials the runner will send.
pub fn give_credentials(spec: &Spec, creds: &Credentials, mock: &mut covenant_mock::MockConfig) {
    for (scheme_name, cred) in creds {
        let Some(scheme) = spec.security_schemes.get(scheme_name) else {
            continue;
        };
        let slot = mock
            .credentials
            .schemes
            .entry(scheme_name.clone())
            .or_default();
        match scheme {
            SecurityScheme::ApiKey { .. } => slot.api_key = Some(cred.secret.clone()),
            SecurityScheme::Http { scheme, .. } if scheme == "basic" => {
                slot.basic_username = cred.username.as_ref().map(|u| u.0.clone());
                slot.basic_password = Some(cred.secret.clone());
            }
            _ => slot.bearer_token = Some(cred.secret.clone()),
        }
    }
}
