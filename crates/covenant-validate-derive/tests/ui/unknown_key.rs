#[derive(covenant_validate::Validate)]
struct S {
    #[validate(lenght(min = 1))]
    name: String,
}

fn main() {
    // No cascade: the fallback impl keeps this call compiling.
    let _ = covenant_validate::Validate::validate(&S { name: String::new() });
}
