"""Every operation of the OpenAPI document is complete: tags, a typed success response, its
error responses, and examples that match their own schemas."""

from urllib.parse import urlsplit

import pytest
from jsonschema import FormatChecker
from openapi_schema_validator import OAS30Validator, oas30_format_checker

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
ERROR_CODES = {"400", "401", "403", "404", "409", "422", "429"}
JSON = "application/json"


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield f"{method.upper()} {path}", operation


def is_binary(media: dict) -> bool:
    return media.get("schema", {}).get("format") == "binary"


def examples_of(media: dict) -> list:
    if "example" in media:
        return [media["example"]]
    return [example["value"] for example in media.get("examples", {}).values()]


def nullable_refs_as_one_of(node):
    """drf-spectacular spells a nullable reference `{"allOf": [{"$ref"}], "nullable": true}`;
    OAS 3.0 validators apply `nullable` only at its own level, so say the same with oneOf."""
    if isinstance(node, list):
        return [nullable_refs_as_one_of(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: nullable_refs_as_one_of(value) for key, value in node.items()}
    if node.get("nullable") and len(node.get("allOf", [])) == 1:
        rest = {key: value for key, value in node.items() if key not in ("allOf", "nullable")}
        return {**rest, "oneOf": [node["allOf"][0], {"nullable": True, "enum": [None]}]}
    return node


# OpenAPI's formats plus "uri": drf-spectacular documents a URL that may be blank as
# `oneOf: [uri, maxLength 0]`, which only a checked "uri" format tells apart.
FORMATS = FormatChecker()
FORMATS.checkers = dict(oas30_format_checker.checkers)


@FORMATS.checks("uri")
def is_uri(value) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return parts is None or bool(parts.scheme and parts.netloc)


def validator_for(schema: dict, media: dict) -> OAS30Validator:
    # The media type's schema as the root document, so its "#/components/..." refs resolve.
    root = {**media["schema"], "components": schema["components"]}
    return OAS30Validator(nullable_refs_as_one_of(root), format_checker=FORMATS)


def test_every_operation_has_tags(schema):
    untagged = [name for name, operation in operations(schema) if not operation.get("tags")]
    assert untagged == []


def test_every_operation_has_a_success_response_with_a_schema(schema):
    missing = []
    for name, operation in operations(schema):
        successes = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
        typed = [
            code
            for code, response in successes.items()
            # 204 No Content is the only success without a body.
            if code == "204" or any("schema" in media for media in response.get("content", {}).values())
        ]
        if not typed:
            missing.append(name)
    assert missing == []


def test_every_operation_documents_its_errors_with_a_body(schema):
    missing = []
    for name, operation in operations(schema):
        errors = {code: r for code, r in operation["responses"].items() if code in ERROR_CODES}
        if not errors or any(JSON not in response.get("content", {}) for response in errors.values()):
            missing.append((name, sorted(errors)))
    assert missing == []


def test_authenticated_operations_document_401(schema):
    # given the operations that need a token (security without the anonymous `{}` option)
    missing = []
    for name, operation in operations(schema):
        security = operation.get("security", schema.get("security", []))
        if security and {} not in security and "401" not in operation["responses"]:
            missing.append(name)
    assert missing == []


def test_every_body_has_examples(schema):
    missing = []
    for name, operation in operations(schema):
        # A body accepted as JSON and as forms needs its example once (on the JSON one).
        content = operation.get("requestBody", {}).get("content", {})
        if content and not any(examples_of(media) for media in content.values()):
            missing.append(f"{name} request")
        for code, response in operation["responses"].items():
            for media_type, media in response.get("content", {}).items():
                if media_type == JSON and not is_binary(media) and not examples_of(media):
                    missing.append(f"{name} {code} {media_type}")
    assert missing == []


def test_every_example_matches_its_schema(schema):
    # given every JSON example, request and response
    wrong = []
    for name, operation in operations(schema):
        bodies = [("request", operation.get("requestBody", {}))]
        bodies += list(operation["responses"].items())
        for where, body in bodies:
            media = body.get("content", {}).get(JSON)
            if not media:
                continue
            validator = validator_for(schema, media)
            # then it is valid against the schema it illustrates
            for example in examples_of(media):
                wrong += [f"{name} {where}: {error.message}" for error in validator.iter_errors(example)]
    assert wrong == []


def test_the_example_check_catches_a_wrong_example(schema):
    # given the login response schema and an example missing its tokens
    media = {"schema": {"$ref": "#/components/schemas/LoginResponse"}}
    wrong = {"email": "admin@tickethelp.local"}

    # then the validator reports it (the walk above is not vacuous)
    assert list(validator_for(schema, media).iter_errors(wrong)) != []
