#[derive(covenant_validate::Validate)]
struct S {
    #[validate(length(min = 9, max = 3))]
    name: String,
    #[validate(range(min = 2.5, max = -1))]
    level: f64,
}

fn main() {}
