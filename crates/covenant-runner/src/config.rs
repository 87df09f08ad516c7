//! `covenant.toml`: which providers `covenant check` runs, where each one's spec
//! is, whether it is a live base URL or the embedded mock, and where its
//! credentials come from (environment variables or files, with documented local
//! defaults for the mock). Credential *values* never live in this file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use covenant_spec::{SecurityScheme, Spec};

use crate::error::RunnerError;

/// Other top-level tables (`[mock]`) belong to other commands and are ignored here.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// Providers by name, run in name order.
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderConfig>,
    /// The directory the file was read from; relative spec paths resolve against it.
    #[serde(skip)]
    pub root: PathBuf,
    /// The file itself (None when the run has no config file: everything implied).
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ProviderConfig {
    pub spec: PathBuf,
    /// A base URL (`https://sandbox.example/api`) or `mock` for the embedded mock.
    pub base_url: String,
    /// Credential sources by security scheme name (as in `components.securitySchemes`).
    #[serde(default)]
    pub credentials: BTreeMap<String, CredentialSource>,
    /// Operations not to run (`operationId` or `METHOD /path`); reported as excluded.
    #[serde(default)]
    pub exclude_operations: Vec<String>,
    /// Operations to infer no resource for (`operationId` or `METHOD /path`), as
    /// if they carried `x-covenant-resource: false`: one wrong inference turned off.
    #[serde(default)]
    pub no_infer: Vec<String>,
}

impl ProviderConfig {
    pub fn is_mock(&self) -> bool {
        self.base_url.trim() == "mock"
    }
}

/// Where one scheme's secret comes from. For HTTP Basic, `env`/`default`/`file` give the
/// password and `username-*` the user name.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CredentialSource {
    /// Environment variable holding the secret; also how reproductions refer to it.
    pub env: String,
    /// A file whose trimmed content is the secret (used when the variable is unset).
    #[serde(default)]
    pub file: Option<PathBuf>,
    /// Value used when neither the variable nor the file gives one: for local mocks only.
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub username_env: Option<String>,
    #[serde(default)]
    pub username_default: Option<String>,
}

/// A resolved credential: the value, and the variable that names it in reports.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    pub secret: String,
    pub env: String,
    /// HTTP Basic user name and its variable.
    pub username: Option<(String, String)>,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the values.
        f.debug_struct("Credential")
            .field("env", &self.env)
            .field("username_env", &self.username.as_ref().map(|u| &u.1))
            .finish_non_exhaustive()
    }
}

/// Credentials by security scheme name.
pub type Credentials = BTreeMap<String, Credential>;

impl Config {
    pub fn load(path: &Path) -> Result<Config, RunnerError> {
        let text = std::fs::read_to_string(path).map_err(|e| RunnerError::Config {
            path: path.to_path_buf(),
            message: format!("cannot read: {e}"),
        })?;
        let mut config: Config = toml::from_str(&text).map_err(|e| RunnerError::Config {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        config.path = Some(path.to_path_buf());
        config.root = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        if config.providers.is_empty() {
            return Err(RunnerError::Config {
                path: path.to_path_buf(),
                message: "no [providers.<name>] table".into(),
            });
        }
        Ok(config)
    }

    /// A provider's spec path, resolved against the config file's directory.
    pub fn spec_path(&self, provider: &ProviderConfig) -> PathBuf {
        if provider.spec.is_absolute() {
            provider.spec.clone()
        } else {
            self.root.join(&provider.spec)
        }
    }

    /// The first provider whose spec path ends like `spec` (for `covenant run --config`).
    pub fn provider_for_spec(&self, spec: &Path) -> Option<(&String, &ProviderConfig)> {
        let wanted = spec.file_name()?;
        self.providers
            .iter()
            .find(|(_, p)| p.spec.file_name() == Some(wanted))
    }
}

impl CredentialSource {
    /// The variable(s) that set this credential, as a user would read them.
    pub fn env_names(&self) -> String {
        match &self.username_env {
            Some(u) => format!("${u} and ${}", self.env),
            None => format!("${}", self.env),
        }
    }

    /// Resolves the value: the variable, else the file, else the default.
    /// `None` when none gives a value.
    pub fn resolve(
        &self,
        root: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<Credential>, RunnerError> {
        let secret = match env(&self.env).filter(|v| !v.is_empty()) {
            Some(v) => Some(v),
            None => match &self.file {
                Some(f) => {
                    let p = if f.is_absolute() {
                        f.clone()
                    } else {
                        root.join(f)
                    };
                    match std::fs::read_to_string(&p) {
                        Ok(s) => Some(s.trim().to_string()),
                        Err(e) => {
                            return Err(RunnerError::Config {
                                path: p,
                                message: format!("credential file for ${}: {e}", self.env),
                            });
                        }
                    }
                }
                None => self.default.clone(),
            },
        };
        let Some(secret) = secret else {
            return Ok(None);
        };
        let username = match &self.username_env {
            Some(var) => {
                let v = env(var)
                    .filter(|v| !v.is_empty())
                    .or_else(|| self.username_default.clone());
                match v {
                    Some(v) => Some((v, var.clone())),
                    None => return Ok(None),
                }
            }
            None => None,
        };
        Ok(Some(Credential {
            secret,
            env: self.env.clone(),
            username,
        }))
    }
}

/// The name a provider goes by when no covenant.toml names it: its spec file's stem
/// (`../realspecs/onfido-v3.6.json` -> `onfido-v3.6`). The implied credential
/// variables are built from it.
pub fn provider_name(spec: &Path) -> String {
    spec.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "provider".into())
}

/// The environment variable that holds `scheme`'s secret for `provider` when no
/// covenant.toml configures one: `COVENANT_<PROVIDER>_<SCHEME>`, upper case, every
/// other character `_` (`onfido-v3.6`, `Token` -> `COVENANT_ONFIDO_V3_6_TOKEN`).
pub fn implied_env(provider: &str, scheme: &str) -> String {
    let mut out = String::from("COVENANT");
    for part in [provider, scheme] {
        out.push('_');
        out.extend(part.chars().map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        }));
    }
    out
}

/// Where a security scheme's credentials come from when covenant.toml says nothing:
/// the implied variables (HTTP Basic: `..._USERNAME` and `..._PASSWORD`), and for an
/// embedded mock the mock's own local values as defaults (`local`, never a secret).
pub fn implied_source(
    provider: &str,
    scheme_name: &str,
    scheme: &SecurityScheme,
    local: Option<&covenant_mock::MockCredentials>,
) -> CredentialSource {
    let var = implied_env(provider, scheme_name);
    match scheme {
        SecurityScheme::Http { scheme, .. } if scheme.eq_ignore_ascii_case("basic") => {
            let (user, password) = local.map(|l| l.basic_for(scheme_name)).unzip();
            CredentialSource {
                env: format!("{var}_PASSWORD"),
                file: None,
                default: password.map(str::to_string),
                username_env: Some(format!("{var}_USERNAME")),
                username_default: user.map(str::to_string),
            }
        }
        SecurityScheme::ApiKey { .. } => CredentialSource {
            env: var,
            default: local.map(|l| l.api_key_for(scheme_name).to_string()),
            ..Default::default()
        },
        _ => CredentialSource {
            env: var,
            default: local.map(|l| l.bearer_for(scheme_name).to_string()),
            ..Default::default()
        },
    }
}

/// Credential sources for every security scheme of `spec`: the configured ones,
/// and the implied ones ([`implied_source`]) for schemes the config leaves out.
pub fn sources_for(
    provider: &str,
    spec: &Spec,
    configured: &BTreeMap<String, CredentialSource>,
    local: Option<&covenant_mock::MockCredentials>,
) -> BTreeMap<String, CredentialSource> {
    let mut out = configured.clone();
    for (name, scheme) in &spec.security_schemes {
        out.entry(name.clone())
            .or_insert_with(|| implied_source(provider, name, scheme, local));
    }
    out
}

/// Resolves every configured credential from the process environment.
pub fn resolve_credentials(
    root: &Path,
    sources: &BTreeMap<String, CredentialSource>,
) -> Result<Credentials, RunnerError> {
    resolve_credentials_with(root, sources, &|k| std::env::var(k).ok())
}

pub fn resolve_credentials_with(
    root: &Path,
    sources: &BTreeMap<String, CredentialSource>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Credentials, RunnerError> {
    let mut out = Credentials::new();
    for (scheme, source) in sources {
        if let Some(c) = source.resolve(root, env)? {
            out.insert(scheme.clone(), c);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_resolves_env_then_default() {
        let dir = std::env::temp_dir().join(format!("covenant-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("covenant.toml");
        std::fs::write(
            &path,
            r#"
[providers.a]
spec = "specs/a.yaml"
base-url = "mock"
[providers.a.credentials]
Key = { env = "A_KEY", default = "local" }
Basic = { env = "A_SECRET", default = "secret-x", username-env = "A_USER", username-default = "public-key-x" }
"#,
        )
        .unwrap();
        let c = Config::load(&path).unwrap();
        let p = &c.providers["a"];
        assert!(p.is_mock());
        assert_eq!(c.spec_path(p), dir.join("specs/a.yaml"));
        let env = |k: &str| (k == "A_KEY").then(|| "from-env".to_string());
        let creds = resolve_credentials_with(&c.root, &p.credentials, &env).unwrap();
        assert_eq!(creds["Key"].secret, "from-env");
        assert_eq!(creds["Basic"].secret, "secret-x");
        assert_eq!(
            creds["Basic"].username,
            Some(("public-key-x".into(), "A_USER".into()))
        );
        assert!(!format!("{:?}", creds["Key"]).contains("from-env"));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn implied_variables_name_provider_and_scheme() {
        assert_eq!(
            implied_env("onfido-v3.6", "Token"),
            "COVENANT_ONFIDO_V3_6_TOKEN"
        );
        let basic = SecurityScheme::Http {
            scheme: "Basic".into(),
            bearer_format: None,
            extensions: Default::default(),
        };
        let local = covenant_mock::MockCredentials::default();
        let s = implied_source("rpc", "basicAuth", &basic, Some(&local));
        assert_eq!(s.env, "COVENANT_RPC_BASICAUTH_PASSWORD");
        assert_eq!(
            s.username_env.as_deref(),
            Some("COVENANT_RPC_BASICAUTH_USERNAME")
        );
        let env = |_: &str| None;
        let c = s.resolve(Path::new("."), &env).unwrap().unwrap();
        assert_eq!(c.secret, local.basic_for("basicAuth").1);
        // Without the mock's local values nothing resolves: a live URL needs the variable.
        let live = implied_source("rpc", "basicAuth", &basic, None);
        assert!(live.resolve(Path::new("."), &env).unwrap().is_none());
        let env = |k: &str| Some(format!("v-{k}"));
        let c = live.resolve(Path::new("."), &env).unwrap().unwrap();
        assert_eq!(c.secret, "v-COVENANT_RPC_BASICAUTH_PASSWORD");
    }

    #[test]
    fn bad_config_names_the_file() {
        let dir = std::env::temp_dir().join(format!("covenant-config-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("covenant.toml");
        std::fs::write(&path, "[providers.a]\nspec = 1\n").unwrap();
        let e = Config::load(&path).unwrap_err().to_string();
        assert!(e.contains("covenant.toml"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
