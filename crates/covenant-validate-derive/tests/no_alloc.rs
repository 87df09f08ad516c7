//! `Validate::is_valid` answers accept/reject without rendering anything: no pointer,
//! no message, no list of allowed values. Counted with an allocator that tallies the
//! allocations of the current thread (this binary holds this one test only, so the
//! harness's own threads do not interfere with the count).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use covenant_validate::Validate;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce() -> bool) -> (bool, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let answer = f();
    (answer, ALLOCATIONS.with(Cell::get) - before)
}

#[derive(Validate, schemars::JsonSchema)]
struct Request {
    #[validate(length(min = 6))]
    ident_code: String,
    #[schemars(regex(pattern = "^DE"))]
    partner_iban: String,
    #[validate(range(min = 1, max = 3))]
    match_level: i64,
    #[validate(enumeration(true))]
    terms: bool,
    #[validate(nested)]
    documents: Vec<Document>,
}

#[derive(Validate, schemars::JsonSchema)]
struct Document {
    #[validate(enumeration("identity-proof", "address-proof"))]
    kind: String,
}

#[test]
fn is_valid_renders_nothing_on_any_violation() {
    let valid = || Request {
        ident_code: "abcdef".into(),
        partner_iban: "DE00".into(),
        match_level: 2,
        terms: true,
        documents: vec![Document {
            kind: "identity-proof".into(),
        }],
    };
    // Patterns compile on first use (once per process, not per call).
    assert!(valid().is_valid());
    let cases: Vec<(&str, Request)> = vec![
        ("valid", valid()),
        (
            "minLength",
            Request {
                ident_code: "abc12".into(),
                ..valid()
            },
        ),
        (
            "pattern",
            Request {
                partner_iban: "FR00".into(),
                ..valid()
            },
        ),
        (
            "maximum",
            Request {
                match_level: 9,
                ..valid()
            },
        ),
        (
            "enum (bool)",
            Request {
                terms: false,
                ..valid()
            },
        ),
        (
            "enum (nested string)",
            Request {
                documents: vec![Document {
                    kind: "selfie".into(),
                }],
                ..valid()
            },
        ),
    ];
    for (name, request) in cases {
        let (answer, allocations) = allocations_during(|| request.is_valid());
        assert_eq!(answer, name == "valid", "{name}");
        assert_eq!(allocations, 0, "{name}: is_valid allocated");
        // The same violation, collected, is rendered (so the count above can see
        // allocations at all).
        if name != "valid" {
            let (_, rendered) = allocations_during(|| request.validate().is_err());
            assert!(rendered > 0, "{name}: validate renders its violation");
        }
    }
}
