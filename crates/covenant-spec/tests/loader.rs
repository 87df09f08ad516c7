//! Malformed input: every failure is an error with a location, never a panic.

use std::path::Path;

use covenant_spec::lint::{LintOutcome, lint_source};
use covenant_spec::source::SourceFile;
use covenant_spec::{LoadError, Spec};

const MINIMAL: &str = "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
components:
  schemas:
    Thing:
      type: object
      properties:
        name: {type: string}
";

fn load(text: &str) -> Result<Spec, LoadError> {
    Spec::from_str("t.yaml", text)
}

fn lint(text: &str) -> Vec<covenant_spec::Diagnostic> {
    match lint_source(SourceFile::parse(Path::new("t.yaml"), text.to_string()).unwrap()) {
        LintOutcome::Checked(d) => d,
        LintOutcome::Unreadable(e) => panic!("unreadable: {e}"),
    }
}

#[test]
fn minimal_spec_loads() {
    let spec = load(MINIMAL).unwrap();
    assert_eq!(spec.operations.len(), 1);
    assert_eq!(spec.operations[0].id, "getThing");
    // Its only response is the 200: lint says refusals cannot be judged there.
    let codes: Vec<&str> = lint(MINIMAL).iter().map(|d| d.code).collect();
    assert_eq!(codes, ["no-error-response"], "{:?}", lint(MINIMAL));
    let with_default = MINIMAL.replace(
        "components:",
        "        default: {description: an error}\ncomponents:",
    );
    assert!(lint(&with_default).is_empty(), "{:?}", lint(&with_default));
}

#[test]
fn bad_yaml_names_line() {
    let err = load("openapi: 3.0.3\ninfo: {title: t\npaths: {}\n").unwrap_err();
    let loc = err.location();
    assert!(matches!(err, LoadError::Syntax { .. }), "{err}");
    assert!(loc.line >= 2, "{loc:?}");
    assert!(err.to_string().contains("t.yaml:"), "{err}");
}

#[test]
fn bad_json_names_line() {
    let err =
        Spec::from_str("t.json", "{\n  \"openapi\": \"3.0.3\",\n  \"info\": }\n").unwrap_err();
    assert_eq!(err.location().line, 3, "{err}");
}

#[test]
fn dangling_ref_is_an_error_at_the_ref() {
    let text = MINIMAL.replace("#/components/schemas/Thing'", "#/components/schemas/Nope'");
    let err = load(&text).unwrap_err();
    let LoadError::Invalid(diags) = &err else {
        panic!("{err}")
    };
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, "dangling-ref");
    assert_eq!(diags[0].location.line, 14, "{err}");
    assert!(
        diags[0]
            .location
            .pointer
            .as_deref()
            .unwrap()
            .ends_with("/schema/$ref")
    );
    assert!(lint(&text).iter().any(|d| d.code == "dangling-ref"));
}

#[test]
fn ref_cycle_is_detected() {
    let text = format!(
        "{MINIMAL}    A: {{$ref: '#/components/schemas/B'}}\n    B: {{allOf: [{{$ref: '#/components/schemas/A'}}]}}\n"
    );
    let err = load(&text).unwrap_err();
    let LoadError::Invalid(diags) = &err else {
        panic!("{err}")
    };
    assert!(
        diags
            .iter()
            .any(|d| d.code == "ref-cycle" && d.message.contains("#/components/schemas/A")),
        "{err}"
    );
    assert!(diags[0].location.line > 0);
}

#[test]
fn recursion_through_properties_is_not_a_cycle() {
    let text = format!("{MINIMAL}        child: {{$ref: '#/components/schemas/Thing'}}\n");
    let spec = load(&text).unwrap();
    let site = spec.operations[0].responses[0].content[0]
        .schema
        .clone()
        .unwrap();
    let v = spec.compile(&site).unwrap();
    assert!(v.is_valid(&serde_json::json!({"name": "a", "child": {"name": "b", "child": {}}})));
    assert!(!v.is_valid(&serde_json::json!({"child": {"name": 1}})));
}

#[test]
fn unknown_versions_are_rejected() {
    let err = load(&MINIMAL.replace("3.0.3", "4.0.0")).unwrap_err();
    assert!(matches!(err, LoadError::Version { .. }), "{err}");
    assert!(err.to_string().contains("unknown OpenAPI version"), "{err}");
    assert_eq!(err.location().line, 1);
    let err = load("swagger: '2.0'\ninfo: {title: t, version: '1'}\n").unwrap_err();
    assert!(err.to_string().contains("Swagger 2.0"), "{err}");
    let err = load("info: {title: t}\n").unwrap_err();
    assert!(err.to_string().contains("missing `openapi`"), "{err}");
}

/// A 3.1 document using what 3.0 lacks: 2020-12 schemas (`type` arrays, `const`,
/// `$ref` with siblings, `prefixItems`, `unevaluatedProperties`), `webhooks`,
/// `components.pathItems`, `info.summary` and `license.identifier`.
const OAS31: &str = "openapi: 3.1.0
info:
  title: t
  summary: a 3.1 document
  version: '1'
  license: {name: MIT, identifier: MIT}
jsonSchemaDialect: https://json-schema.org/draft/2020-12/schema
paths:
  /things:
    $ref: '#/components/pathItems/Things'
webhooks:
  thingCreated:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Thing'}
      responses:
        '200': {description: received}
components:
  pathItems:
    Things:
      post:
        operationId: createThing
        requestBody:
          required: true
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
        responses:
          '201':
            description: created
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Thing'}
          '400': {description: bad}
  schemas:
    Thing:
      type: object
      required: [kind, name]
      unevaluatedProperties: false
      properties:
        kind: {const: thing}
        name: {type: [string, 'null'], maxLength: 5}
        point:
          type: array
          prefixItems: [{type: number}, {type: number}]
          items: false
        label:
          $ref: '#/components/schemas/Label'
          maxLength: 3
        examples: {type: array, items: {type: string}}
    Label: {type: string, examples: [ab]}
";

#[test]
fn openapi_31_documents_load_with_their_2020_12_schemas() {
    let spec = load(OAS31).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(spec.dialect, covenant_spec::Dialect::OpenApi31);
    let ids: Vec<&str> = spec.operations.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["createThing"], "path items by reference");
    assert_eq!(spec.webhooks.len(), 1);
    assert_eq!(spec.webhooks[0].path, "thingCreated");
    assert_eq!(spec.webhooks[0].pointer, "/webhooks/thingCreated/post");
    let body = spec.operations[0].request_body.as_ref().unwrap().content[0]
        .schema
        .clone()
        .unwrap();
    let v = spec.compile(&body).unwrap();
    let ok = serde_json::json!({"kind": "thing", "name": null, "point": [1, 2.5], "label": "ab"});
    assert!(
        v.is_valid(&ok),
        "{:?}",
        covenant_spec::view::violations(&v, &ok)
    );
    for (bad, keyword) in [
        (serde_json::json!({"kind": "other", "name": "a"}), "const"),
        (
            serde_json::json!({"kind": "thing", "name": "toolong"}),
            "maxLength",
        ),
        (
            serde_json::json!({"kind": "thing", "name": "a", "extra": 1}),
            "unevaluatedProperties",
        ),
        (
            serde_json::json!({"kind": "thing", "name": "a", "point": [1, "x"]}),
            "type",
        ),
        (
            serde_json::json!({"kind": "thing", "name": "a", "point": [1, 2, 3]}),
            "falseSchema",
        ),
        // The `$ref`'s sibling `maxLength: 3` applies beside the reference.
        (
            serde_json::json!({"kind": "thing", "name": "a", "label": "abcd"}),
            "maxLength",
        ),
        (
            serde_json::json!({"kind": "thing", "name": "a", "label": 4}),
            "type",
        ),
    ] {
        let errors = covenant_spec::view::violations(&v, &bad);
        assert!(
            errors.iter().any(|e| e.keyword == keyword),
            "{bad}: {errors:?} lacks {keyword}"
        );
    }
    assert!(
        lint(OAS31)
            .iter()
            .all(|d| d.severity != covenant_spec::Severity::Error)
    );
}

#[test]
fn openapi_31_shape_errors_point_into_the_document() {
    let text = OAS31.replace(
        "          '400': {description: bad}",
        "          '400': [1]",
    );
    let err = load(&text).unwrap_err();
    assert!(matches!(err, LoadError::Structure { .. }), "{err}");
    assert!(
        err.location()
            .pointer
            .unwrap()
            .contains("/components/pathItems/Things"),
        "{err}"
    );
}

#[test]
fn openapi_30_x_webhooks_are_webhooks() {
    let text = MINIMAL.replace(
        "components:",
        "x-webhooks:\n  ping:\n    post:\n      responses: {'204': {description: ok}}\ncomponents:",
    );
    let spec = load(&text).unwrap();
    assert_eq!(spec.dialect, covenant_spec::Dialect::OpenApi30);
    assert_eq!(spec.webhooks.len(), 1);
    assert_eq!(spec.webhooks[0].path, "ping");
}

#[test]
fn structural_errors_point_into_the_document() {
    // `responses` must be a mapping.
    let text = MINIMAL.replace(
        "      responses:\n        '200':",
        "      responses: [1]\n      x-was:\n        '200':",
    );
    let err = load(&text).unwrap_err();
    assert!(matches!(err, LoadError::Structure { .. }), "{err}");
    assert!(
        err.location().pointer.unwrap().contains("responses"),
        "{err}"
    );
}

#[test]
fn odd_inputs_do_not_panic() {
    let deep = format!(
        "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\nx-deep: {}1{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    for text in [
        "",
        "---\n",
        "[]",
        "openapi: [1]",
        "openapi: 3.0.3\n",
        deep.as_str(),
        "a: &x [*x]",
    ] {
        let _ = load(text);
        let _ = SourceFile::parse(Path::new("t.yaml"), text.to_string()).map(lint_source);
    }
    let err = Spec::load("/nonexistent/spec.yaml").unwrap_err();
    assert!(matches!(err, LoadError::Io { .. }), "{err}");
}

#[test]
fn invalid_utf8_is_a_syntax_error() {
    let dir = std::env::temp_dir().join(format!("covenant-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.yaml");
    std::fs::write(&path, b"openapi: \xff\xfe\n").unwrap();
    let err = Spec::load(&path).unwrap_err();
    assert!(err.to_string().contains("UTF-8"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn lint_finds_semantic_problems_with_locations() {
    let text = MINIMAL
        .replace("/things/{id}:", "/things/{thingId}:")
        .replace("'200':", "'404':")
        .replace(
            "name: {type: string}",
            "name: {type: string, enum: [a, 1], example: 5}",
        );
    let diags = lint(&text);
    let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
    assert!(codes.contains(&"path-param"), "{diags:#?}");
    assert!(codes.contains(&"no-success"), "{diags:#?}");
    assert!(codes.contains(&"enum"), "{diags:#?}");
    assert!(codes.contains(&"example"), "{diags:#?}");
    for d in &diags {
        assert!(d.location.line > 0 && d.location.pointer.is_some(), "{d}");
    }
    let e = diags.iter().find(|d| d.code == "enum").unwrap();
    assert_eq!(
        e.location.pointer.as_deref(),
        Some("/components/schemas/Thing/properties/name/enum/1")
    );
}

/// Resources are inferred from the plain document: OpenAPI links (any path
/// shape), RPC pairs and REST paths; an extension on an operation wins.
#[test]
fn resources_are_inferred_from_links_rpc_pairs_and_rest_paths() {
    use covenant_spec::ext::{LookupLocation, ResourceRole};
    let spec = load(
        "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /orders/new:
    post:
      operationId: placeOrder
      responses:
        '201':
          description: placed
          content:
            application/json:
              schema: {type: object, properties: {number: {type: string}}}
          links:
            ReadIt:
              operationId: findOrder
              parameters: {num: '$response.body#/number'}
  /lookup/{num}:
    get:
      operationId: findOrder
      parameters:
        - {name: num, in: path, required: true, schema: {type: string}}
      responses:
        '200': {description: ok}
  /rpc/job.create:
    post:
      operationId: jobCreate
      responses:
        '200':
          description: made
          content:
            application/json:
              schema: {type: object, properties: {job_id: {type: string}}}
  /rpc/job.state:
    post:
      operationId: jobState
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [job_id], properties: {job_id: {type: string}}}
      responses:
        '200': {description: ok}
  /pets:
    post:
      operationId: addPet
      responses:
        '201':
          description: added
          content:
            application/json:
              schema: {type: object, properties: {id: {type: integer}}}
  /pets/{pet_id}:
    get:
      operationId: getPet
      parameters:
        - {name: pet_id, in: path, required: true, schema: {type: integer}}
      responses:
        '200': {description: ok}
    delete:
      operationId: deletePet
      parameters:
        - {name: pet_id, in: path, required: true, schema: {type: integer}}
      responses:
        '204': {description: gone}
",
    )
    .unwrap();
    let of = |id: &str| {
        let op = spec.operations.iter().find(|o| o.id == id).unwrap();
        spec.covenant.resources.get(&op.pointer).cloned()
    };
    let read = of("findOrder").expect("linked read");
    assert_eq!(read.role, ResourceRole::Read);
    assert_eq!(read.id.as_deref(), Some("/number"));
    let lookup = read.lookup.unwrap();
    assert_eq!(
        (lookup.location, lookup.name.as_deref()),
        (LookupLocation::Path, Some("num"))
    );
    assert!(read.inferred.unwrap().contains("link"));
    assert_eq!(of("placeOrder").unwrap().role, ResourceRole::Create);
    let state = of("jobState").expect("RPC pair");
    assert_eq!(state.lookup.unwrap().location, LookupLocation::Body);
    assert_eq!(state.id.as_deref(), Some("/job_id"));
    assert_eq!(of("jobCreate").unwrap().name, "job");
    assert_eq!(of("deletePet").unwrap().role, ResourceRole::Delete);
    assert_eq!(of("getPet").unwrap().id.as_deref(), Some("/id"));
    assert_eq!(of("addPet").unwrap().name, "pets");
}

/// A create that names the new item only in its `Location` header (no id in the
/// body) makes a resource whose id is the header's last path segment; an
/// optional `Location` beside an id member leaves the member as the id (REST
/// paths). `x-covenant-resource: false` turns inference off for one operation,
/// and so does `infer::reinfer_without` (`covenant run --no-infer`).
#[test]
fn location_headers_give_ids_and_inference_can_be_turned_off() {
    use covenant_spec::ext::{LOCATION_ID, ResourceRole};
    let text = "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /notes:
    post:
      operationId: addNote
      responses:
        '201':
          description: added
          headers:
            Location: {schema: {type: string}}
          content:
            application/json:
              schema: {type: object, properties: {text: {type: string}}}
  /notes/{note_id}:
    get:
      operationId: getNote
      parameters:
        - {name: note_id, in: path, required: true, schema: {type: string}}
      responses:
        '200': {description: ok}
    delete:
      operationId: deleteNote
      parameters:
        - {name: note_id, in: path, required: true, schema: {type: string}}
      responses:
        '204': {description: gone}
  /tags:
    post:
      operationId: addTag
      responses:
        '201':
          description: added
          headers:
            Location: {schema: {type: string}}
          content:
            application/json:
              schema: {type: object, properties: {id: {type: string}}}
  /tags/{tag_id}:
    get:
      operationId: getTag
      MARK
      parameters:
        - {name: tag_id, in: path, required: true, schema: {type: string}}
      responses:
        '200': {description: ok}
";
    let spec = load(&text.replace("      MARK\n", "")).unwrap();
    let of = |spec: &Spec, id: &str| {
        let op = spec.operations.iter().find(|o| o.id == id).unwrap();
        spec.covenant.resources.get(&op.pointer).cloned()
    };
    let create = of(&spec, "addNote").expect("Location create");
    assert_eq!(create.role, ResourceRole::Create);
    assert_eq!(create.id.as_deref(), Some(LOCATION_ID));
    assert!(
        create
            .inferred
            .as_deref()
            .unwrap()
            .starts_with("Location header"),
        "{create:?}"
    );
    assert_eq!(of(&spec, "getNote").unwrap().role, ResourceRole::Read);
    assert_eq!(of(&spec, "deleteNote").unwrap().role, ResourceRole::Delete);
    let tag = of(&spec, "getTag").expect("REST read");
    assert_eq!(tag.id.as_deref(), Some("/id"));
    assert!(tag.inferred.unwrap().starts_with("REST paths"));
    // Marked in the spec: getTag is no read; the create stays.
    let marked = load(&text.replace("MARK", "x-covenant-resource: false")).unwrap();
    assert!(of(&marked, "getTag").is_none());
    assert!(of(&marked, "addTag").is_some());
    // Turned off from outside: a create takes its whole resource with it.
    let mut spec = spec;
    covenant_spec::infer::reinfer_without(&mut spec, |o| o.id == "addNote");
    for id in ["addNote", "getNote", "deleteNote"] {
        assert!(of(&spec, id).is_none(), "{id}");
    }
    assert!(of(&spec, "getTag").is_some());
}

/// A JSON:API create answers its resource inside `data` (`{"data": {"id": ...,
/// "type": ..., "attributes": ...}}`, as Persona does): the id is read at
/// `/data/id`. A top-level id member still wins.
#[test]
fn json_api_envelopes_give_their_id_at_data_id() {
    let text = "openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /accounts:
    post:
      operationId: createAccount
      responses:
        '201':
          description: created
          content:
            application/json:
              schema:
                type: object
                required: [data]
                properties:
                  data: {$ref: '#/components/schemas/Account'}
                  TOP
  /accounts/{account-id}:
    get:
      operationId: getAccount
      parameters:
        - {name: account-id, in: path, required: true, schema: {type: string}}
      responses:
        '200': {description: ok}
    patch:
      operationId: updateAccount
      parameters:
        - {name: account-id, in: path, required: true, schema: {type: string}}
      responses:
        '200': {description: ok}
components:
  schemas:
    Account:
      type: object
      properties:
        type: {type: string, const: account}
        id: {type: string}
        attributes: {type: object, properties: {name: {type: string}}}
";
    let of = |spec: &Spec, id: &str| {
        let op = spec.operations.iter().find(|o| o.id == id).unwrap();
        spec.covenant.resources.get(&op.pointer).cloned()
    };
    let spec = load(&text.replace("                  TOP\n", "")).unwrap();
    let create = of(&spec, "createAccount").expect("a JSON:API create");
    assert_eq!(create.id.as_deref(), Some("/data/id"));
    assert_eq!(
        of(&spec, "getAccount").unwrap().id.as_deref(),
        Some("/data/id")
    );
    let spec = load(&text.replace("TOP", "id: {type: string}")).unwrap();
    assert_eq!(
        of(&spec, "createAccount").unwrap().id.as_deref(),
        Some("/id")
    );
}
