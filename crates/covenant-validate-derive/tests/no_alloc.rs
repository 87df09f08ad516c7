//! `Validate::is_valid` answers accept/reject without rendering anything: no pointer,
//! no message, no list of allowed values. `Validate::validate` records a violation
//! as data in the error list's one allocation (short pointers and offending values
//! are held inline), and renders its message only when read. Counted with an allocator that
//! tallies the allocations of the current thread (this binary holds this one test
//! only, so the harness's own threads do not interfere with the count).

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
    let cases: Vec<(&str, Request, &str, &str)> = vec![
        ("valid", valid(), "", ""),
        (
            "minLength",
            Request {
                ident_code: "abc12".into(),
                ..valid()
            },
            "/ident_code",
            "has 5 characters, fewer than the minimum of 6",
        ),
        (
            "pattern",
            Request {
                partner_iban: "FR00".into(),
                ..valid()
            },
            "/partner_iban",
            "\"FR00\" does not match \"^DE\"",
        ),
        (
            "maximum",
            Request {
                match_level: 9,
                ..valid()
            },
            "/match_level",
            "9 is greater than the maximum of 3",
        ),
        (
            "enum (bool)",
            Request {
                terms: false,
                ..valid()
            },
            "/terms",
            "false is not one of [true]",
        ),
        (
            "enum (nested string)",
            Request {
                documents: vec![Document {
                    kind: "selfie".into(),
                }],
                ..valid()
            },
            "/documents/0/kind",
            "\"selfie\" is not one of [\"identity-proof\", \"address-proof\"]",
        ),
    ];
    for (name, request, pointer, message) in cases {
        let (answer, allocations) = allocations_during(|| request.is_valid());
        assert_eq!(answer, name == "valid", "{name}");
        assert_eq!(allocations, 0, "{name}: is_valid allocated");
        if name == "valid" {
            continue;
        }
        // The same violation, collected: the error list is the one allocation,
        // nothing is rendered yet.
        let mut errors = None;
        let (_, recorded) = allocations_during(|| {
            errors = request.validate().err();
            errors.is_some()
        });
        assert_eq!(recorded, 1, "{name}: validate allocated more than the list");
        let errors = errors.unwrap();
        assert_eq!(errors.len(), 1, "{name}: {errors}");
        let e = &errors[0];
        assert_eq!(
            (e.pointer(), e.keyword()),
            (pointer, name.split(' ').next().unwrap())
        );
        // Reading the message renders it (so the counts above can see allocations).
        let mut text = String::new();
        let (_, rendered) = allocations_during(|| {
            text = e.message().into_owned();
            true
        });
        assert!(rendered > 0, "{name}: the message is rendered when read");
        assert_eq!(text, message, "{name}");
    }
}
