#[derive(covenant_validate::Validate)]
#[validate(nested)]
struct S {
    #[validate(unknown_value)]
    name: String,
}

fn main() {}
