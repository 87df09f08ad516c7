#[derive(covenant_validate::Validate)]
struct S(#[validate(forbidden_properties("a", "b", "a"))] serde_json::Map<String, serde_json::Value>);

fn main() {
    let _ = covenant_validate::Validate::validate(&S(Default::default()));
}
