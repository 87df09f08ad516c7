#[derive(covenant_validate::Validate)]
struct S {
    #[validate(length(min = 1))]
    level: i64,
}

fn main() {}
