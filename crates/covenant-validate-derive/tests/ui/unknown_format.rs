#[derive(covenant_validate::Validate)]
struct S {
    #[validate(format = "ibna")]
    iban: String,
}

fn main() {}
