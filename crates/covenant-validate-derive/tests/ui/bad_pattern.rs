#[derive(schemars::JsonSchema, covenant_validate::Validate)]
struct S {
    #[schemars(regex(pattern = "^(DE"))]
    iban: String,
}

fn main() {}
