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
    // A base URL given as a variable (`$COVENANT_MOCK_URL`) must expand.
    let url_arg = if env_query.is_empty() && !url.starts_with('$') {
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

/// A value the script takes from an earlier answer, written where the id goes
/// while rendering (letters only, so no encoding changes it).
pub const ID_SENTINEL: &str = "COVENANTIDSENTINEL";

/// The line that runs `create` and keeps the id its JSON answer holds at `pointer`
/// in the shell variable `var` (read by python3, which the runner's machine has).
/// With [`covenant_spec::ext::LOCATION_ID`] the id is the last path segment of the
/// answer's `Location` header.
pub fn capture(var: &str, create: &str, pointer: &str) -> String {
    if pointer == covenant_spec::ext::LOCATION_ID {
        let headers = create.replacen("curl -sS -i ", "curl -sS -o /dev/null -D - ", 1);
        return format!(
            "{var}=$({headers} | python3 -c 'import sys\nfor l in sys.stdin:\n  k,_,v=l.partition(\":\")\n  if k.strip().lower()==\"location\": print(v.strip().split(\"?\")[0].split(\"#\")[0].rstrip(\"/\").rsplit(\"/\",1)[-1])')"
        );
    }
    let quiet = create.replacen("curl -sS -i ", "curl -sS ", 1);
    format!(
        "{var}=$({quiet} | python3 -c 'import json,sys\nv=json.load(sys.stdin)\nfor t in sys.argv[1].split(\"/\")[1:]: v=v[int(t)] if isinstance(v,list) else v[t]\nprint(v)' {})",
        single_quote(pointer)
    )
}

/// `command` (rendered with [`ID_SENTINEL`] where the id goes) with the id read
/// from `$var` instead, in whatever quoting the sentinel sits: `'..'"$ID"'..'`,
/// `"..$ID.."`, `$'..'"$ID"$'..'`. A numeric id drops the JSON quotes around it.
pub fn with_variable(command: &str, var: &str, numeric: bool) -> String {
    with_sentinel(command, ID_SENTINEL, var, numeric)
}

/// [`with_variable`] for any `sentinel` (letters and digits only) standing where
/// `$var` goes.
pub fn with_sentinel(command: &str, sentinel: &str, var: &str, numeric: bool) -> String {
    let quoted = format!("\"{sentinel}\"");
    let mut out = String::with_capacity(command.len());
    let mut state = ' '; // ' ' none, '\'' single, '"' double, '$' ansi-c
    let mut i = 0;
    let bytes = command.as_bytes();
    while i < command.len() {
        let rest = &command[i..];
        let hit = if numeric && rest.starts_with(&quoted) {
            Some(quoted.len())
        } else if rest.starts_with(sentinel) {
            Some(sentinel.len())
        } else {
            None
        };
        if let Some(n) = hit {
            out.push_str(&match state {
                '\'' => format!("'\"${var}\"'"),
                '"' => format!("${var}"),
                '$' => format!("'\"${var}\"$'"),
                _ => format!("\"${var}\""),
            });
            i += n;
            continue;
        }
        let c = rest.chars().next().unwrap_or_default();
        match (state, c) {
            (' ', '\'') => state = '\'',
            (' ', '"') => state = '"',
            (' ', '$') if bytes.get(i + 1) == Some(&b'\'') => {
                state = '$';
                out.push_str("$'");
                i += 2;
                continue;
            }
            ('\'', '\'') | ('"', '"') => state = ' ',
            (' ', '\\') | ('"', '\\') | ('$', '\\') => {
                // An escaped character: copy it and the escape together.
                out.push(c);
                i += 1;
                if let Some(next) = command[i..].chars().next() {
                    out.push(next);
                    i += next.len_utf8();
                }
                continue;
            }
            ('$', '\'') => state = ' ',
            _ => {}
        }
        out.push(c);
        i += c.len_utf8();
    }
    out
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
    use covenant_spec::Method;
    use serde_json::json;

    #[test]
    fn credentials_are_env_references_and_bodies_are_quoted() {
        let req = Request {
            body: Some(json!({"name": "O'Brien"})),
            content_type: Some("application/json".into()),
            ..Request::new(Method::Post, "/x")
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

    /// The id variable lands in every quoting the command uses, and bash reads the
    /// result back as the values the request means.
    #[test]
    fn ids_from_earlier_answers_expand_where_they_are_quoted() {
        let mut req = Request {
            path_params: json!({"id": ID_SENTINEL}).as_object().unwrap().clone(),
            body: Some(json!({"id": ID_SENTINEL, "note": "it's"})),
            content_type: Some("application/json".into()),
            ..Request::new(Method::Post, "/things/{id}")
        };
        let shell = |cmd: &str, id: &str| {
            // The command's words, as bash splits them, one per line.
            let script = format!(
                "ID={id}; printf '%s\\n' {}",
                cmd.trim_start_matches("curl ")
            );
            let out = std::process::Command::new("bash")
                .args(["-c", &script])
                .env("COVENANT_MOCK_URL", "http://h")
                .output()
                .expect("bash runs");
            String::from_utf8(out.stdout).unwrap()
        };
        let numeric = with_variable(&command("$COVENANT_MOCK_URL", &req, &[]), "ID", true);
        let words = shell(&numeric, "42");
        assert!(
            words.contains("\n{\"id\":42,\"note\":\"it's\"}\n"),
            "{numeric}\n{words}"
        );
        assert!(
            words.ends_with("\nhttp://h/things/42\n"),
            "{numeric}\n{words}"
        );
        let text = with_variable(&command("http://h", &req, &[]), "ID", false);
        let words = shell(&text, "abc");
        assert!(
            words.contains("{\"id\":\"abc\",\"note\":\"it's\"}"),
            "{text}\n{words}"
        );
        assert!(
            words.ends_with("\nhttp://h/things/abc\n"),
            "{text}\n{words}"
        );
        // Multipart bodies are $'...'-quoted.
        req.content_type = Some("multipart/form-data".into());
        let multi = with_variable(&command("http://h", &req, &[]), "ID", false);
        let words = shell(&multi, "abc");
        assert!(
            words.contains("name=\"id\"\r\n\r\nabc\r\n"),
            "{multi}\n{words}"
        );
        let line = capture("ID", "curl -sS -i -X POST 'http://h/things'", "/data/id");
        assert!(line.starts_with("ID=$(curl -sS -X POST"), "{line}");
    }
}
