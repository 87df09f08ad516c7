//! Redaction, applied before anything covenant writes (reports, logs, snapshots).
//!
//! # Rules
//!
//! 1. **Secrets are removed.** Headers `Authorization`, `Proxy-Authorization`,
//!    `Cookie`, `Set-Cookie`, and every header or query parameter that a spec's
//!    security scheme names (e.g. `X-API-Key`, `REB-APIKEY`) are dropped. JSON
//!    fields whose name contains `password`, `secret`, `apikey`/`api_key`, or is
//!    `token`/`access_token`/`refresh_token` become `"<secret>"`. Any value
//!    registered with [`Redactor::add_secret`] is replaced by `<secret>` wherever it
//!    appears in text, including inside longer strings (a curl line, a URL).
//! 2. **Personal data is masked** as `"<personal>"`: fields marked
//!    `x-personal-data: true` in the spec, fields with `format: iban` or `email`,
//!    and fields whose name (case- and separator-insensitive) is a known personal
//!    name: names (`firstname`, `lastname`, `surname`, `given_names`, ...), birth
//!    date and place, address parts (`street`, `housenumber`, `postcode`, `city`,
//!    `address`), `iban`, document and personal numbers, fiscal/tax codes, phone
//!    numbers, `portrait`, `face`, `selfie`, `email`, `nationality`, `sex`/`gender`,
//!    `user_ip`, `user_agent`. Masking keeps the JSON type of objects and arrays
//!    (their leaves are masked) so a reader still sees the shape.
//! 3. **Volatile values become stable placeholders**: ids (`id`, `*_id`, `*Id`),
//!    idempotency keys, timestamps (`*At`, `*_at`, `*Time`, `created`, `updated`,
//!    `expires`, and any RFC 3339 date-time string), UUIDs anywhere (also inside
//!    longer tokens such as `urn:uuid:<uuid>`), URLs with a
//!    query string (signatures, `ts=`), and rate-limit headers (`Retry-After`,
//!    `X-RateLimit-*`, `RateLimit-*`), `Date`, `Content-Length`. The first distinct
//!    value of a kind becomes `<id-1>`, the next `<id-2>`, and so on; the same value
//!    always gets the same placeholder within one [`Redactor`], also when it shows up
//!    later inside a string (a path `/sessions/<id-1>`), so an id created in one
//!    exchange and read in the next stays recognisably the same. Timestamps are the
//!    exception: all become `<timestamp>`, since which answers fell in the same
//!    second is timing, not behaviour, and would make snapshots flip between runs.
//!
//! ```
//! use covenant_redact::{Redactor, Rules};
//! use serde_json::json;
//! let mut r = Redactor::new(Rules::default());
//! r.add_secret("secret-123");
//! let created = r.json(&json!({"id": 77, "surname": "Mustermann", "createdAt": "2024-10-22T12:19:12Z"}));
//! assert_eq!(created, json!({"id": "<id-1>", "surname": "<personal>", "createdAt": "<timestamp>"}));
//! assert_eq!(r.text("curl -u pk:secret-123 /x/77"), "curl -u pk:<secret> /x/<id-1>");
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};

use covenant_spec::{SecurityScheme, Spec};
use serde_json::{Map, Value};

/// What counts as secret, personal or volatile. Start from [`Rules::default`] and
/// extend with [`Rules::from_spec`] for a spec's own markers and scheme headers.
#[derive(Debug, Clone)]
pub struct Rules {
    secret_headers: BTreeSet<String>,
    personal_fields: BTreeSet<String>,
}

const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

const PERSONAL: &[&str] = &[
    "name",
    "firstname",
    "lastname",
    "surname",
    "givenname",
    "givennames",
    "familyname",
    "middlename",
    "fullname",
    "birthname",
    "maidenname",
    "birthdate",
    "dateofbirth",
    "dob",
    "birthplace",
    "placeofbirth",
    "street",
    "streetname",
    "housenumber",
    "postcode",
    "postalcode",
    "zip",
    "zipcode",
    "city",
    "address",
    "addressline1",
    "addressline2",
    "iban",
    "documentnumber",
    "personalnumber",
    "idnumber",
    "passportnumber",
    "fiscalcode",
    "taxcode",
    "taxid",
    "ssn",
    "phone",
    "phonenumber",
    "mobile",
    "mobilenumber",
    "portrait",
    "face",
    "selfie",
    "photo",
    "email",
    "nationality",
    "sex",
    "gender",
    "userip",
    "useragent",
    "ipaddress",
];

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            secret_headers: SECRET_HEADERS.iter().map(|s| s.to_string()).collect(),
            personal_fields: PERSONAL.iter().map(|s| s.to_string()).collect(),
        }
    }
}

impl Rules {
    /// Default rules plus the spec's security-scheme headers/query names and every
    /// property marked `x-personal-data: true` or typed `format: iban`/`email`.
    pub fn from_spec(spec: &Spec) -> Rules {
        let mut rules = Rules::default();
        rules.add_spec(spec);
        rules
    }

    /// Adds a spec's markers to these rules (for reports covering several specs).
    pub fn add_spec(&mut self, spec: &Spec) {
        for scheme in spec.security_schemes.values() {
            if let SecurityScheme::ApiKey { name, .. } = scheme {
                self.secret_headers.insert(name.to_ascii_lowercase());
            }
        }
        let mut stack = vec![spec.document()];
        while let Some(v) = stack.pop() {
            match v {
                Value::Object(m) => {
                    if let Some(Value::Object(props)) = m.get("properties") {
                        for (name, p) in props {
                            let p = spec.resolve(p);
                            let marked = p.get("x-personal-data") == Some(&Value::Bool(true))
                                || matches!(
                                    p.get("format").and_then(Value::as_str),
                                    Some("iban" | "email")
                                );
                            if marked {
                                self.personal_fields.insert(normalise(name));
                            }
                        }
                    }
                    stack.extend(m.values());
                }
                Value::Array(a) => stack.extend(a),
                _ => {}
            }
        }
    }

    /// Whether a header (or query parameter) carries a credential.
    pub fn is_secret_header(&self, name: &str) -> bool {
        self.secret_headers.contains(&name.to_ascii_lowercase())
    }

    fn is_secret_field(&self, name: &str) -> bool {
        let n = normalise(name);
        n.contains("password")
            || n.contains("secret")
            || n.contains("apikey")
            || ["token", "accesstoken", "refreshtoken", "clientsecret"].contains(&n.as_str())
    }

    fn is_personal_field(&self, name: &str) -> bool {
        self.personal_fields.contains(&normalise(name))
    }

    /// Whether redaction hides the value of a JSON field called `name` (a secret or
    /// personal data): for text that would quote such a value, such as a schema
    /// violation's message.
    ///
    /// ```
    /// let rules = covenant_redact::Rules::default();
    /// assert!(rules.hides_field("partner_lastname"));
    /// assert!(rules.hides_field("password"));
    /// assert!(!rules.hides_field("status"));
    /// ```
    pub fn hides_field(&self, name: &str) -> bool {
        self.is_secret_field(name) || personal_by_suffix(self, name)
    }
}

/// `partner_firstName` -> `partnerfirstname`; prefixes like `partner_` are also
/// stripped so `partner_city` matches `city`.
fn normalise(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn personal_by_suffix(rules: &Rules, name: &str) -> bool {
    if rules.is_personal_field(name) {
        return true;
    }
    // `partner_lastname`, `holder.birth_date`: the part after the first separator.
    // A bare `name` after a prefix is a person's only when the prefix is not a
    // thing (`error_name`, `file_name` name an error and a file).
    name.split_once(['_', '-', '.'])
        .is_some_and(|(prefix, rest)| {
            rules.is_personal_field(rest)
                && !(normalise(rest) == "name"
                    && THING_PREFIXES.contains(&normalise(prefix).as_str()))
        })
}

/// Prefixes that make `<prefix>_name` the name of a thing, not of a person.
const THING_PREFIXES: [&str; 30] = [
    "error",
    "file",
    "document",
    "doc",
    "type",
    "event",
    "field",
    "class",
    "host",
    "domain",
    "product",
    "plan",
    "brand",
    "company",
    "business",
    "organisation",
    "organization",
    "bank",
    "app",
    "application",
    "service",
    "key",
    "tag",
    "param",
    "parameter",
    "method",
    "operation",
    "status",
    "schema",
    "resource",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Id,
    Timestamp,
    Key,
    Link,
    Counter,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Id => "id",
            Kind::Timestamp => "timestamp",
            Kind::Key => "idempotency-key",
            Kind::Link => "link",
            Kind::Counter => "counter",
        }
    }
}

/// Applies [`Rules`] and remembers placeholders, so one redactor over a sequence of
/// exchanges maps each volatile value to the same placeholder throughout.
#[derive(Debug, Clone)]
pub struct Redactor {
    rules: Rules,
    /// (secret value, what to show instead), longest value first.
    secrets: Vec<(String, String)>,
    placeholders: HashMap<String, String>,
    counts: BTreeMap<Kind, usize>,
}

impl Default for Redactor {
    fn default() -> Redactor {
        Redactor::new(Rules::default())
    }
}

impl Redactor {
    pub fn new(rules: Rules) -> Redactor {
        Redactor {
            rules,
            secrets: Vec::new(),
            placeholders: HashMap::new(),
            counts: BTreeMap::new(),
        }
    }

    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Registers a known secret value (a credential read from the environment), so it
    /// is replaced wherever it appears in text.
    pub fn add_secret(&mut self, value: impl Into<String>) {
        self.add_secret_as(value, "<secret>");
    }

    /// Like [`Redactor::add_secret`], but shows `shown` instead (e.g. `$REBILLY_API_KEY`,
    /// so a curl reproduction stays runnable with the credential from the environment).
    pub fn add_secret_as(&mut self, value: impl Into<String>, shown: impl Into<String>) {
        let v = value.into();
        // Very short values would shred ordinary text; credentials are never that short.
        if v.len() >= 4 && !self.secrets.iter().any(|(s, _)| *s == v) {
            self.secrets.push((v, shown.into()));
            self.secrets
                .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        }
    }

    /// Replaces only the registered secrets in `text` (no placeholders, no state
    /// change): for whole documents such as rendered reports.
    /// Whole values only: a secret inside a longer identifier (`stateful_ignored_auth`
    /// for the secret `ignored`) is another word, not the credential.
    pub fn secrets_only(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (secret, shown) in &self.secrets {
            if out.contains(secret.as_str()) {
                out = replace_token(&out, secret, shown);
            }
        }
        out
    }

    /// How many secret values are registered.
    pub fn secret_count(&self) -> usize {
        self.secrets.len()
    }

    fn placeholder(&mut self, kind: Kind, original: &str) -> String {
        // Timestamps are wall-clock: numbering them would record which answers happened
        // to fall in the same second, which changes from run to run.
        if kind == Kind::Timestamp {
            return "<timestamp>".into();
        }
        if let Some(p) = self.placeholders.get(original) {
            return p.clone();
        }
        let n = self.counts.entry(kind).or_insert(0);
        *n += 1;
        let p = format!("<{}-{}>", kind.label(), n);
        self.placeholders.insert(original.to_string(), p.clone());
        p
    }

    /// Redacts a JSON body.
    pub fn json(&mut self, v: &Value) -> Value {
        self.value(None, v)
    }

    fn value(&mut self, key: Option<&str>, v: &Value) -> Value {
        if let Some(k) = key {
            if self.rules.is_secret_field(k) {
                return Value::String("<secret>".into());
            }
            if personal_by_suffix(&self.rules, k) {
                return mask(v);
            }
            if let Some(kind) = volatile_field(k) {
                return match v {
                    Value::String(s) if !s.is_empty() => Value::String(self.placeholder(kind, s)),
                    Value::Number(n) => Value::String(self.placeholder(kind, &n.to_string())),
                    other => self.value(None, other),
                };
            }
        }
        match v {
            Value::Object(m) => {
                let mut out = Map::new();
                for (k, c) in m {
                    out.insert(k.clone(), self.value(Some(k), c));
                }
                Value::Object(out)
            }
            Value::Array(a) => Value::Array(a.iter().map(|c| self.value(None, c)).collect()),
            Value::String(s) => Value::String(self.scalar_text(s)),
            other => other.clone(),
        }
    }

    /// A free-standing string value: recognise volatile shapes, then substitute
    /// known secrets and already-seen volatile values.
    fn scalar_text(&mut self, s: &str) -> String {
        if is_rfc3339(s) {
            return self.placeholder(Kind::Timestamp, s);
        }
        if is_uuid(s) {
            return self.placeholder(Kind::Id, s);
        }
        if (s.starts_with("http://") || s.starts_with("https://")) && s.contains('?') {
            return self.placeholder(Kind::Link, s);
        }
        self.text(s)
    }

    /// Redacts free text (a URL, a log line, a curl command): known secrets become
    /// `<secret>`, values already given a placeholder are replaced by it, and UUIDs
    /// and RFC 3339 timestamps get placeholders.
    pub fn text(&mut self, s: &str) -> String {
        let mut out = self.secrets_only(s);
        // Longest originals first, whole tokens only, so `12` never rewrites `123`.
        let mut seen: Vec<(&String, &String)> = self
            .placeholders
            .iter()
            .filter(|(k, _)| k.len() >= 2)
            .collect();
        seen.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
        for (original, placeholder) in seen {
            out = replace_token(&out, original, placeholder);
        }
        let tokens: Vec<String> = out
            .split(|c: char| !(c.is_ascii_alphanumeric() || "-:.+TZ".contains(c)))
            .filter(|t| is_uuid(t) || is_rfc3339(t))
            .map(str::to_string)
            .collect();
        // UUIDs inside longer tokens (`urn:uuid:<uuid>`, `req_<uuid>`) too.
        let tokens: Vec<String> = tokens.into_iter().chain(embedded_uuids(&out)).collect();
        for t in tokens {
            let kind = if is_uuid(&t) {
                Kind::Id
            } else {
                Kind::Timestamp
            };
            let p = self.placeholder(kind, &t);
            out = out.replace(&t, &p);
        }
        out
    }

    /// Redacts headers: secret ones are dropped, volatile ones get placeholders,
    /// the rest have their values passed through [`Redactor::text`]. Names are
    /// lower-cased and the result sorted, for stable snapshots.
    pub fn headers<'a>(
        &mut self,
        headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (name, value) in headers {
            let lname = name.to_ascii_lowercase();
            if self.rules.is_secret_header(&lname) {
                continue;
            }
            let v = if lname == "idempotency-key" || lname.contains("idempotency") {
                self.placeholder(Kind::Key, value)
            } else if lname == "retry-after"
                || lname.starts_with("x-ratelimit")
                || lname.starts_with("ratelimit")
                || lname == "content-length"
            {
                format!("<{}>", Kind::Counter.label())
            } else if lname == "date" {
                "<date>".to_string()
            } else {
                self.text(value)
            };
            out.push((lname, v));
        }
        out.sort();
        out
    }

    /// Redacts a query string's parameters: secret names dropped, idempotency keys
    /// and volatile names replaced, values otherwise through [`Redactor::text`].
    pub fn query<'a>(
        &mut self,
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (name, value) in params {
            if self.rules.is_secret_header(name) || self.rules.is_secret_field(name) {
                continue;
            }
            let v = if normalise(name).contains("idempotency") {
                self.placeholder(Kind::Key, value)
            } else if personal_by_suffix(&self.rules, name) {
                "<personal>".to_string()
            } else {
                self.text(value)
            };
            out.push((name.to_string(), v));
        }
        out
    }
}

fn mask(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, c)| (k.clone(), mask(c))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(mask).collect()),
        Value::Null => Value::Null,
        _ => Value::String("<personal>".into()),
    }
}

fn volatile_field(name: &str) -> Option<Kind> {
    let n = normalise(name);
    if n.contains("idempotency") {
        return Some(Kind::Key);
    }
    if n == "id" || name.ends_with("_id") || name.ends_with("Id") || name.ends_with("-id") {
        return Some(Kind::Id);
    }
    let ts_suffix = name.ends_with("At")
        || name.ends_with("_at")
        || name.ends_with("Time")
        || name.ends_with("_time");
    if ts_suffix
        || [
            "created",
            "updated",
            "expires",
            "expireafter",
            "expiresafter",
            "expirationtime",
            "timestamp",
        ]
        .contains(&n.as_str())
    {
        return Some(Kind::Timestamp);
    }
    None
}

fn replace_token(text: &str, token: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(token) {
        let before_ok = rest[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_');
        let after = &rest[i + token.len()..];
        let after_ok = after
            .chars()
            .next()
            .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_');
        out.push_str(&rest[..i]);
        out.push_str(if before_ok && after_ok { with } else { token });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// UUIDs that are part of a longer token, bounded by non-alphanumeric characters
/// (or `_`), e.g. in `urn:uuid:3c90c3cc-...` or `doc_3c90c3cc-...`.
fn embedded_uuids(s: &str) -> Vec<String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 36 <= b.len() {
        let starts = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        let ends = b.get(i + 36).is_none_or(|c| !c.is_ascii_alphanumeric());
        if starts && ends && s.is_char_boundary(i) && s.is_char_boundary(i + 36) {
            let t = &s[i..i + 36];
            if is_uuid(t) {
                out.push(t.to_string());
                i += 36;
                continue;
            }
        }
        i += 1;
    }
    out
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// An RFC 3339 date-time (`YYYY-MM-DDTHH:MM:SS`, optional fraction, `Z` or a
/// numeric offset), as chrono reads it: `T`, `t` or a space between date and time,
/// `Z` in either case, and only real dates and times (no month 13).
fn is_rfc3339(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

#[cfg(test)]
mod tests {
    /// Secrets are whole values: a credential that happens to be an ordinary word
    /// is not cut out of longer identifiers.
    #[test]
    fn secrets_match_whole_tokens_only() {
        let mut r = super::Redactor::default();
        r.add_secret_as("ignored", "$TOKEN");
        assert_eq!(
            r.secrets_only("provider stateful_ignored_auth, Bearer ignored"),
            "provider stateful_ignored_auth, Bearer $TOKEN"
        );
        assert_eq!(r.secrets_only("\"ignored\""), "\"$TOKEN\"");
    }

    /// Field names are whole names: `error_name` names an error, not a person.
    #[test]
    fn personal_names_are_whole_field_names() {
        let rules = super::Rules::default();
        for hidden in [
            "name",
            "partner_name",
            "holder_lastname",
            "firstName",
            "birth_date",
        ] {
            assert!(rules.hides_field(hidden), "{hidden}");
        }
        for shown in [
            "error_name",
            "file_name",
            "document_name",
            "type_name",
            "company_name",
        ] {
            assert!(!rules.hides_field(shown), "{shown}");
        }
    }
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_are_stable_across_exchanges() {
        let mut r = Redactor::new(Rules::default());
        let created =
            r.json(&json!({"id": "kyc_req_ABC", "customerId": "cus_1", "status": "gathering"}));
        let read_path = r.text("/kyc-requests/kyc_req_ABC");
        assert_eq!(created["id"], "<id-1>");
        assert_eq!(created["customerId"], "<id-2>");
        assert_eq!(created["status"], "gathering");
        assert_eq!(read_path, "/kyc-requests/<id-1>");
        assert_eq!(r.json(&json!({"id": "kyc_req_ABC"}))["id"], "<id-1>");
    }

    #[test]
    fn tokens_are_replaced_whole() {
        let mut r = Redactor::new(Rules::default());
        r.json(&json!({"id": 12}));
        assert_eq!(r.text("ids 12 and 123"), "ids <id-1> and 123");
    }

    #[test]
    fn personal_fields_are_masked_with_prefixes_and_nesting() {
        let mut r = Redactor::new(Rules::default());
        let out = r.json(&json!({"partner_firstname": "Max", "partner_iban": "DE89370400440532013000",
            "partner_birthdate": "1950-06-01", "holder": {"given_names": "Erika", "address": {"street": "x", "no": 1}},
            "contract_type": "privat", "reference": "order-1"}));
        let text = out.to_string();
        for secret in ["Max", "DE89370400440532013000", "1950-06-01", "Erika"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert_eq!(out["contract_type"], "privat");
        assert_eq!(out["holder"]["address"]["no"], "<personal>");
    }

    #[test]
    fn secrets_are_removed_everywhere() {
        let mut r = Redactor::new(Rules::default());
        r.add_secret("public-key-abc");
        r.add_secret("secret-xyz");
        let h = r.headers([
            (
                "Authorization",
                "Basic cHVibGljLWtleS1hYmM6c2VjcmV0LXh5eg==",
            ),
            ("X-Trace", "secret-xyz"),
            ("Retry-After", "30"),
        ]);
        assert_eq!(
            h,
            vec![
                ("retry-after".to_string(), "<counter>".to_string()),
                ("x-trace".to_string(), "<secret>".to_string())
            ]
        );
        assert_eq!(
            r.json(&json!({"password": "p", "api_key": "k"})),
            json!({"password": "<secret>", "api_key": "<secret>"})
        );
        assert_eq!(
            r.text("curl -u public-key-abc:secret-xyz"),
            "curl -u <secret>:<secret>"
        );
    }

    #[test]
    fn uuids_timestamps_and_signed_links() {
        let mut r = Redactor::new(Rules::default());
        let out = r.json(&json!({"a": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "b": "2024-10-22T12:19:12.269594Z",
            "link": "https://onboarding.example/res/3949?ts=49943", "plain": "https://example.com/docs"}));
        assert_eq!(
            out,
            json!({"a": "<id-1>", "b": "<timestamp>", "link": "<link-1>", "plain": "https://example.com/docs"})
        );
        assert_eq!(
            r.text("GET /x/3c90c3cc-0d44-4b50-8888-8dd25736052a at 2030-01-01T00:00:00Z"),
            "GET /x/<id-1> at <timestamp>"
        );
    }

    /// What counts as an RFC 3339 timestamp in a free-standing value or in text.
    #[test]
    fn rfc3339_recognition() {
        for yes in [
            "2024-10-22T12:19:12Z",
            "2024-10-22T12:19:12.269594Z",
            "2024-10-22t12:19:12z",
            "2024-10-22 12:19:12Z",
            "2024-10-22T12:19:12+02:00",
            "2024-10-22T12:19:12.5-05:30",
        ] {
            assert!(is_rfc3339(yes), "{yes}");
        }
        for no in [
            "2024-10-22",
            "2024-10-22T12:19:12",
            "12:19:12Z",
            "2024-10-22T12:19:12Zx",
            "2024-13-45T25:61:00Z",
            "not-a-date-time",
        ] {
            assert!(!is_rfc3339(no), "{no}");
        }
        let mut r = Redactor::new(Rules::default());
        assert_eq!(
            r.json(&json!({"note": "2024-10-22 12:19:12+02:00"})),
            json!({"note": "<timestamp>"})
        );
    }

    /// Wall-clock values: whether two answers fell in the same second is timing, not
    /// behaviour, so it must not show in (and flip) a snapshot.
    #[test]
    fn timestamps_do_not_depend_on_which_second_they_fell_in() {
        let same_second = |a: &str, b: &str| {
            let mut r = Redactor::new(Rules::default());
            (
                r.json(&json!({"createdAt": a})),
                r.json(&json!({"createdAt": b})),
            )
        };
        assert_eq!(
            same_second("2024-10-22T12:19:12Z", "2024-10-22T12:19:12Z"),
            same_second("2024-10-22T12:19:12Z", "2024-10-22T12:19:13Z")
        );
    }

    #[test]
    fn uuids_inside_longer_tokens() {
        let mut r = Redactor::new(Rules::default());
        let out = r.json(&json!({"instance": "urn:uuid:4c0d3916-8e7b-4fe7-8ebc-d413512f21a4",
            "ref": "doc_4c0d3916-8e7b-4fe7-8ebc-d413512f21a4", "other": "x3c90c3cc-0d44-4b50-8888-8dd25736052a"}));
        assert_eq!(out["instance"], "urn:uuid:<id-1>");
        assert_eq!(out["ref"], "doc_<id-1>");
        // Glued to a letter: not a UUID token, left alone.
        assert_eq!(out["other"], "x3c90c3cc-0d44-4b50-8888-8dd25736052a");
    }

    #[test]
    fn spec_markers_extend_the_rules() {
        let spec = Spec::load(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../specs/rebilly.yaml"
        ))
        .unwrap();
        let rules = Rules::from_spec(&spec);
        assert!(rules.is_secret_header("reb-apikey"));
        let spec = Spec::load(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../specs/rpcsession.yaml"
        ))
        .unwrap();
        let mut r = Redactor::new(Rules::from_spec(&spec));
        let out = r.json(&json!({"document_number": "X123", "issuer": "Bundesdruckerei"}));
        assert_eq!(out["document_number"], "<personal>");
    }
}
