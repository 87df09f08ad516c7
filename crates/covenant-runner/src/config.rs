//! `covenant.toml`: which providers `covenant check` runs, where each one's spec
//! is, whether it is a live base URL or the embedded mock, and where its
//! credentials come from (environment variables or files, with documented local
//! defaults for the mock). Credential *values* never live in this file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

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
    /// The file itself.
    #[serde(skip)]
    pub path: PathBuf,
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
        config.path = path.to_path_buf();
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
