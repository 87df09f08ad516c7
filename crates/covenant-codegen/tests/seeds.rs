//! Seed-derived cases: the constraints the seed documents, checked through the
//! generated models.

use covenant_validate::from_value;
use serde_json::json;

fn found(e: &covenant_validate::ValidationErrors) -> Vec<(String, String)> {
    e.iter()
        .map(|e| (e.pointer().to_string(), e.keyword().to_string()))
        .collect()
}

#[test]
fn identplus_short_ident_code_is_min_length_at_ident_code() {
    let body =
        json!({"ident_code": "abc12", "partner_iban": "DE99123456780123456789", "dsv_terms": true});
    let e = from_value::<models_identplus::IdentcheckCreateRequest>(&body).unwrap_err();
    assert_eq!(
        found(&e),
        [("/ident_code".to_string(), "minLength".to_string())]
    );
    let ok = json!({"ident_code": "test123", "partner_iban": "DE99123456780123456789"});
    assert!(from_value::<models_identplus::IdentcheckCreateRequest>(&ok).is_ok());
}

#[test]
fn identplus_reports_every_violation() {
    let body = json!({"ident_code": "abc12", "partner_iban": "AT61", "dsv_terms": false});
    let e = from_value::<models_identplus::IdentcheckCreateRequest>(&body).unwrap_err();
    assert_eq!(
        found(&e),
        [
            ("/ident_code".to_string(), "minLength".to_string()),
            ("/partner_iban".to_string(), "pattern".to_string()),
            ("/dsv_terms".to_string(), "enum".to_string()),
        ]
    );
}

#[test]
fn rebilly_document_type_outside_enum_is_rejected_at_documents_0_type() {
    let body = json!({"customerId": "cus_1", "documents": [{"type": "selfie-proof"}]});
    let e = from_value::<models_rebilly::KycRequestCreate>(&body).unwrap_err();
    assert_eq!(
        found(&e),
        [("/documents/0/type".to_string(), "enum".to_string())]
    );
}

#[test]
fn rebilly_response_keeps_unknown_status_but_validation_flags_it() {
    let body = json!({"customerId": "cus_1", "documents": [], "status": "archived"});
    let parsed: models_rebilly::KycRequest = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(parsed.status.as_ref().map(|s| s.as_str()), Some("archived"));
    assert_eq!(serde_json::to_value(&parsed).unwrap(), body);
    let e = from_value::<models_rebilly::KycRequest>(&body).unwrap_err();
    assert_eq!(found(&e), [("/status".to_string(), "enum".to_string())]);
}

#[test]
fn iron_unknown_type_is_rejected() {
    let e = from_value::<models_iron::IdentificationCreateParams>(&json!({"type": "Telepathy"}))
        .unwrap_err();
    assert_eq!(e[0].keyword(), "enum", "{e}");
    let ok =
        from_value::<models_iron::IdentificationCreateParams>(&json!({"type": "Direct"})).unwrap();
    assert!(matches!(
        ok,
        models_iron::IdentificationCreateParams::IdentDirectParams(_)
    ));
    assert_eq!(
        serde_json::to_value(&ok).unwrap(),
        json!({"type": "Direct"})
    );
}

#[test]
fn nullable_optional_fields_keep_three_states() {
    use covenant_validate::Nullable;
    for (body, want) in [
        (
            json!({"customerId": "c", "documents": []}),
            Nullable::Absent,
        ),
        (
            json!({"customerId": "c", "documents": [], "reason": null}),
            Nullable::Null,
        ),
        (
            json!({"customerId": "c", "documents": [], "reason": "r"}),
            Nullable::Present("r".to_string()),
        ),
    ] {
        let m: models_rebilly::KycRequestCreate = from_value(&body).unwrap();
        assert_eq!(m.reason, want);
        assert_eq!(serde_json::to_value(&m).unwrap(), body);
    }
    // Optional but not nullable: null is refused.
    let e = from_value::<models_rebilly::KycRequestCreate>(
        &json!({"customerId": "c", "documents": [], "matchLevel": null}),
    )
    .unwrap_err();
    assert_eq!(e[0].pointer(), "/matchLevel");
}

#[test]
fn deprecated_values_still_deserialise() {
    let v: models_onboarding::RequestStatus =
        serde_json::from_value(json!("USER_CANCELLED")).unwrap();
    assert_eq!(v.as_str(), "USER_CANCELLED");
}
