//! The provider error style (`covenant_spec::error_style`): templates as a spec's
//! `x-covenant-errors` gives them (parsed with the same serde types as the loader,
//! `ErrorStyle` / `ErrorCase`), rendered with fuzzed messages and violations, then
//! read back (`extract`, `names_field`) from the rendered body and from a fuzzed
//! body. Never a panic or a hang.
//!
//! Input lines:
//! 1. an `x-covenant-errors` value (class -> case), else one case, else a bare body
//!    template (JSON);
//! 2. an error body to read back (JSON; the rendered one when this does not parse);
//! 3. the field `names_field` looks for;
//! 4. the top-level message (a number there is a `retry_after` instead; empty: none);
//! 5. and on: violations, `pointer<TAB>keyword<TAB>message[<TAB>p]` (`p`: a parameter).
#![no_main]

use covenant_spec::error_style::{
    self, CLASSES, ErrorInput, FieldError, extract, has_field_slots, names_field, render,
};
use covenant_spec::{ErrorCase, ErrorStyle, FieldNotation};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|text: &str| {
    let mut lines = text.split('\n');
    let template = lines.next().unwrap_or("");
    let body_line = lines.next().unwrap_or("");
    let field = lines.next().unwrap_or("");
    let message = lines.next().unwrap_or("");
    let violations: Vec<FieldError> = lines
        .map(|l| {
            let mut parts = l.split('\t');
            FieldError {
                pointer: parts.next().unwrap_or("").to_string(),
                keyword: parts.next().unwrap_or("").to_string(),
                message: parts.next().unwrap_or("").to_string(),
                parameter: parts.next() == Some("p"),
            }
        })
        .collect();
    let cases: Vec<ErrorCase> = if let Ok(style) = serde_json::from_str::<ErrorStyle>(template) {
        CLASSES
            .iter()
            .map(|class| error_style::case_for(&style, class).0)
            .collect()
    } else if let Ok(case) = serde_json::from_str::<ErrorCase>(template) {
        vec![case]
    } else if let Ok(body) = serde_json::from_str::<Value>(template) {
        [
            FieldNotation::Pointer,
            FieldNotation::Dotted,
            FieldNotation::Name,
        ]
        .into_iter()
        .map(|field_notation| ErrorCase {
            status: 400,
            content_type: None,
            field_notation,
            body: Some(body.clone()),
            headers: Default::default(),
        })
        .collect()
    } else {
        vec![error_style::fallback_case("validation")]
    };
    let (message, retry_after) = match message.parse::<u64>() {
        Ok(n) => (None, Some(n)),
        Err(_) => ((!message.is_empty()).then(|| message.to_string()), None),
    };
    let input = ErrorInput {
        status: None,
        message,
        instance: "urn:uuid:00000000-0000-4000-8000-000000000000".into(),
        retry_after,
        violations,
    };
    let given: Option<Value> = serde_json::from_str(body_line).ok();
    for case in &cases {
        let rendered = render(case, &input);
        std::hint::black_box(has_field_slots(case));
        for body in given.iter().chain(rendered.body.as_ref()) {
            std::hint::black_box(extract(case, body));
            for f in input.violations.iter().take(8) {
                std::hint::black_box(names_field(case, body, &f.pointer, f.parameter));
            }
            for parameter in [false, true] {
                std::hint::black_box(names_field(case, body, field, parameter));
            }
        }
    }
});
