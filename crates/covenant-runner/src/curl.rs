//! Copy-paste `curl` reproductions. Real credentials appear only as environment
//! variable references (`$COVENANT_REBILLY_API_KEY`), inside double quotes so the
//! shell expands them; everything else is single-quoted literally.

use crate::auth::AuthPart;
use crate::request::Request;

/// The curl command that replays `req` against `base_url` with `auth`.
pub fn command(base_url: &str, req: &Request, auth: &[AuthPart]) -> String {
    let mut url = format!("{}{}", base_url.trim_end_matches('/'), req.path_and_query());
    let mut env_query = Vec::new();
    let mut args = vec![
        "curl".to_string(),
        "-sS".into(),
        "-i".into(),
        "-X".into(),
        req.method.as_str().into(),
    ];
    for part in auth {
        match part {
            AuthPart::Header { name, shown, .. } => {
                args.push("-H".into());
                args.push(double_quote(&format!("{name}: {shown}")));
            }
            AuthPart::Query { name, shown, .. } => {
                env_query.push(format!("{name}={shown}"));
            }
            AuthPart::Basic {
                shown_user,
                shown_password,
                ..
            } => {
                args.push("-u".into());
                args.push(double_quote(&format!("{shown_user}:{shown_password}")));
            }
        }
    }
    for (k, v) in req.header_pairs() {
        args.push("-H".into());
        args.push(single_quote(&format!("{k}: {v}")));
    }
    if let Some(body) = req.body_bytes() {
        args.push("-H".into());
        // `Content-Type:` with no value makes curl send none (it would add its own).
        args.push(single_quote(&match req.content_type_header() {
            Some(ct) => format!("Content-Type: {ct}"),
            None => "Content-Type:".into(),
        }));
        let text = String::from_utf8_lossy(&body);
        if text.contains(['\r', '\n']) {
            // Multipart framing: CRLFs must survive copy and paste.
            args.push("--data-binary".into());
            args.push(ansi_c_quote(&text));
        } else {
            args.push("--data-raw".into());
            args.push(single_quote(&text));
        }
    }
    let url_arg = if env_query.is_empty() {
        single_quote(&url)
    } else {
        for q in env_query {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&q);
        }
        double_quote(&url)
    };
    args.push(url_arg);
    args.join(" ")
}

/// Bash's `$'...'` quoting: control characters as escapes, so a multipart body's
/// CRLFs are exact in a command one can copy.
fn ansi_c_quote(s: &str) -> String {
    let mut out = String::from("$'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `'...'` with embedded single quotes escaped the POSIX way.
pub fn single_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `"..."` that keeps `$VAR` references live but escapes everything else the shell
/// would interpret inside double quotes.
fn double_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if matches!(c, '"' | '\\' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::AuthMode;
    use covenant_spec::Method;
    use serde_json::json;

    #[test]
    fn credentials_are_env_references_and_bodies_are_quoted() {
        let req = Request {
            method: Method::Post,
            path: "/x".into(),
            path_params: Default::default(),
            query: Default::default(),
            headers: Default::default(),
            body: Some(json!({"name": "O'Brien"})),
            content_type: Some("application/json".into()),
            auth: AuthMode::Valid,
            flaw: None,
            files: Vec::new(),
            query_styles: Default::default(),
        };
        let auth = vec![
            AuthPart::Header {
                name: "REB-APIKEY".into(),
                value: "s3cr3t".into(),
                shown: "$COVENANT_REBILLY_API_KEY".into(),
            },
            AuthPart::Basic {
                user: "public-key-u".into(),
                password: "secret-p".into(),
                shown_user: "$U".into(),
                shown_password: "$P".into(),
            },
        ];
        let c = command("http://127.0.0.1:1/", &req, &auth);
        assert!(!c.contains("s3cr3t") && !c.contains("secret-p"), "{c}");
        assert!(
            c.contains("-H \"REB-APIKEY: $COVENANT_REBILLY_API_KEY\""),
            "{c}"
        );
        assert!(c.contains("-u \"$U:$P\""), "{c}");
        assert!(c.contains(r#"--data-raw '{"name":"O'\''Brien"}'"#), "{c}");
        assert!(c.ends_with("'http://127.0.0.1:1/x'"), "{c}");
    }
}
