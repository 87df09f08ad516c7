//! Mock configuration: limits, store bounds and the credentials the mock accepts.
//! Read from the `[mock]` table of `covenant.toml` (other tables belong to other
//! commands), then overridden by environment variables, so secrets need never be
//! written on a command line. `Debug` never prints a secret.
//!
//! Defaults (for local use):
//!
//! | setting | default |
//! |---|---|
//! | `max_body_bytes` | 1 MiB (larger bodies: `payload-too-large`, 413) |
//! | `max_header_bytes` | 16 KiB, names + values (larger: `header-too-large`, 431, in the provider's style at any size; heads beyond the 4 × limit + 8 KiB read buffer are not read further and the connection closes) |
//! | `max_json_depth` | 64 nested arrays/objects (deeper: `malformed`, 400) |
//! | `request_timeout_secs` | 30: a request must arrive in full within this many seconds of its connection falling idle (accepted, or its last answer written); otherwise the connection closes. Covers heads and bodies trickled byte by byte, and idle keep-alive connections |
//! | `max_connections` | 1024 open connections (more: `rate-limited`, 429 with `Retry-After: 1`, then closed; past twice the limit, new connections wait in the accept backlog) |
//! | `store_capacity` | 10,000 resources per kind (oldest evicted first) |
//! | `store_ttl_secs` | 86,400 (resources are forgotten after a day) |
//! | `idempotency_capacity` | 10,000 keys per operation (window from the spec) |
//! | `api_key` / `COVENANT_MOCK_API_KEY` | `test-api-key` |
//! | `bearer_token` / `COVENANT_MOCK_BEARER_TOKEN` | `test-bearer-token` |
//! | `basic_username` / `COVENANT_MOCK_BASIC_USERNAME` | `public-key-test` |
//! | `basic_password` / `COVENANT_MOCK_BASIC_PASSWORD` | `secret-test` |
//!
//! Per-scheme overrides: `[mock.credentials.schemes.<SchemeName>]` with the same keys.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: invalid [mock] configuration: {message}")]
    Invalid { path: String, message: String },
}

#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MockCredentials {
    pub api_key: String,
    pub bearer_token: String,
    pub basic_username: String,
    pub basic_password: String,
    /// Overrides by security scheme name.
    pub schemes: BTreeMap<String, SchemeCredentials>,
}

#[derive(Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchemeCredentials {
    pub api_key: Option<String>,
    pub bearer_token: Option<String>,
    pub basic_username: Option<String>,
    pub basic_password: Option<String>,
}

impl Default for MockCredentials {
    fn default() -> Self {
        MockCredentials {
            api_key: "test-api-key".into(),
            bearer_token: "test-bearer-token".into(),
            basic_username: "public-key-test".into(),
            basic_password: "secret-test".into(),
            schemes: BTreeMap::new(),
        }
    }
}

impl fmt::Debug for MockCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockCredentials")
            .field("api_key", &"<redacted>")
            .field("bearer_token", &"<redacted>")
            .field("basic_username", &"<redacted>")
            .field("basic_password", &"<redacted>")
            .field("schemes", &self.schemes.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl MockCredentials {
    pub fn api_key_for(&self, scheme: &str) -> &str {
        self.schemes
            .get(scheme)
            .and_then(|s| s.api_key.as_deref())
            .unwrap_or(&self.api_key)
    }

    pub fn bearer_for(&self, scheme: &str) -> &str {
        self.schemes
            .get(scheme)
            .and_then(|s| s.bearer_token.as_deref())
            .unwrap_or(&self.bearer_token)
    }

    pub fn basic_for(&self, scheme: &str) -> (&str, &str) {
        let s = self.schemes.get(scheme);
        (
            s.and_then(|s| s.basic_username.as_deref())
                .unwrap_or(&self.basic_username),
            s.and_then(|s| s.basic_password.as_deref())
                .unwrap_or(&self.basic_password),
        )
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MockConfig {
    pub max_body_bytes: usize,
    pub max_header_bytes: usize,
    pub max_json_depth: usize,
    pub max_connections: usize,
    pub request_timeout_secs: u64,
    pub store_capacity: usize,
    pub store_ttl_secs: u64,
    pub idempotency_capacity: usize,
    /// Seed of the response pools (same seed, same generated bodies).
    pub seed: u64,
    /// Generated response bodies kept per operation.
    pub pool_size: usize,
    pub credentials: MockCredentials,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            max_body_bytes: 1 << 20,
            max_header_bytes: 16 << 10,
            max_json_depth: 64,
            max_connections: 1024,
            request_timeout_secs: 30,
            store_capacity: 10_000,
            store_ttl_secs: 86_400,
            idempotency_capacity: 10_000,
            seed: 0x00c0_7e4a,
            pool_size: 16,
            credentials: MockCredentials::default(),
        }
    }
}

impl MockConfig {
    /// Reads the `[mock]` table of `path` (when given), then the environment.
    pub fn load(path: Option<&Path>) -> Result<MockConfig, ConfigError> {
        let mut config = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Read {
                    path: p.display().to_string(),
                    source,
                })?;
                MockConfig::from_toml(&text).map_err(|message| ConfigError::Invalid {
                    path: p.display().to_string(),
                    message,
                })?
            }
            None => MockConfig::default(),
        };
        config.apply_env(|k| std::env::var(k).ok());
        Ok(config)
    }

    /// Parses the `[mock]` table of a `covenant.toml` text (absent table: defaults).
    pub fn from_toml(text: &str) -> Result<MockConfig, String> {
        let doc: toml::Table = toml::from_str(text).map_err(|e| e.message().to_string())?;
        match doc.get("mock") {
            Some(t) => t
                .clone()
                .try_into()
                .map_err(|e: toml::de::Error| e.message().to_string()),
            None => Ok(MockConfig::default()),
        }
    }

    /// Applies `COVENANT_MOCK_*` credential variables.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) {
        let c = &mut self.credentials;
        for (var, slot) in [
            ("COVENANT_MOCK_API_KEY", &mut c.api_key),
            ("COVENANT_MOCK_BEARER_TOKEN", &mut c.bearer_token),
            ("COVENANT_MOCK_BASIC_USERNAME", &mut c.basic_username),
            ("COVENANT_MOCK_BASIC_PASSWORD", &mut c.basic_password),
        ] {
            if let Some(v) = get(var).filter(|v| !v.is_empty()) {
                *slot = v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_table_env_and_redaction() {
        let mut c = MockConfig::from_toml(
            "[runner]\nx = 1\n[mock]\nmax_body_bytes = 10\n[mock.credentials]\napi_key = \"k1\"\n[mock.credentials.schemes.JWT]\nbearer_token = \"t2\"\n",
        )
        .expect("parses");
        assert_eq!(c.max_body_bytes, 10);
        assert_eq!(c.max_json_depth, 64);
        assert_eq!(c.credentials.api_key_for("X"), "k1");
        assert_eq!(c.credentials.bearer_for("JWT"), "t2");
        assert_eq!(c.credentials.bearer_for("other"), "test-bearer-token");
        c.apply_env(|k| (k == "COVENANT_MOCK_API_KEY").then(|| "from-env".to_string()));
        assert_eq!(c.credentials.api_key_for("X"), "from-env");
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("from-env") && !dbg.contains("t2"), "{dbg}");
        assert!(MockConfig::from_toml("[mock]\nbogus = 1\n").is_err());
        assert_eq!(MockConfig::from_toml("").expect("empty").pool_size, 16);
    }
}
