"""Handlebars subset, dynamic-template CRUD (live shapes) and templated_messages."""

from __future__ import annotations

import json

import httpx
import pytest

from desktop_app.core.templates import TemplateSyntaxError, render

from .helpers import SENDER

HBS = "text/x-handlebars-template"


@pytest.mark.parametrize(
    ("source", "values", "expected"),
    [
        ("Hi {{name}}", {"name": "<Jo & Al>"}, "Hi &lt;Jo &amp; Al&gt;"),
        ("{{{html}}}", {"html": "<b>x</b>"}, "<b>x</b>"),
        ("{{a.b}}/{{missing}}/{{n}}/{{f}}/{{t}}", {"a": {"b": 1}, "n": 2.0, "f": 1.5, "t": True}, "1//2/1.5/true"),
        ("{{#if x}}yes{{else}}no{{/if}}", {"x": []}, "no"),
        ("{{#if x}}yes{{else}}no{{/if}}", {"x": "0"}, "yes"),
        ("{{#unless x}}none{{/unless}}", {}, "none"),
        ("{{#each xs}}[{{@index}}:{{this}}]{{/each}}", {"xs": ["a", "b"]}, "[0:a][1:b]"),
        (
            "{{#each people}}{{name}}{{#unless @last}}, {{/unless}}{{/each}}",
            {"people": [{"name": "A"}, {"name": "B"}]},
            "A, B",
        ),
        ("{{#each xs}}x{{else}}empty{{/each}}", {"xs": []}, "empty"),
        ("{{#each m}}{{@key}}={{this}};{{/each}}", {"m": {"k": "v"}}, "k=v;"),
        ("a{{! note }}b{{!-- }} --}}c", {}, "abc"),
    ],
)
def test_render(source: str, values: dict[str, object], expected: str) -> None:
    assert render(source, values) == expected


@pytest.mark.parametrize(
    "source", ["{{#if x}}", "{{/if}}", "{{#each x}}{{/if}}", "{{#with x}}{{/with}}", "{{a b}}", "{{else}}"]
)
def test_invalid_templates(source: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        render(source, {})


def create(api: httpx.Client, name: str, body: str) -> httpx.Response:
    return api.post(
        "dynamic_templates",
        data={"data[name]": name},
        files={"data[body]": (f"{name}.hbs", body.encode(), HBS)},
    )


def template_id(api: httpx.Client, name: str) -> int:
    """Create returns no id (as live): find it by listing and matching the name."""
    return next(t["id"] for t in api.get("dynamic_templates").json() if t["name"] == name)


def test_template_crud_live_shapes(api: httpx.Client) -> None:
    created = create(api, "welcome", "<p>Hi {{name}}</p>")
    assert created.status_code == 200
    body = created.json()
    assert body["message"] == "Template welcome created!"
    assert body["params"]["name"] == "welcome"
    assert body["params"]["body"]["original_filename"] == "welcome.hbs"
    assert body["params"]["body"]["content_type"] == HBS
    assert body["params"]["body"]["tempfile"].startswith("#<File:0x")
    assert "id" not in body

    listed = api.get("dynamic_templates").json()
    assert isinstance(listed, list)
    tid = template_id(api, "welcome")
    assert listed == [{"id": tid, "name": "welcome", "api_customer_id": 1}]

    got = api.get(f"dynamic_templates/{tid}").json()
    assert got["body"] == "<p>Hi {{name}}</p>"
    assert got["metadata"] == {}
    assert got["created_at"].endswith("+00:00")

    renamed = api.patch(f"dynamic_templates/{tid}", data={"data[name]": "hello"})
    assert renamed.json() == {"message": "Template hello updated!", "params": {"name": "hello"}}
    body_only = api.patch(f"dynamic_templates/{tid}", files={"data[body]": ("b.hbs", b"Yo {{name}}", HBS)})
    assert body_only.json()["message"] == "Template  updated!"
    assert api.get(f"dynamic_templates/{tid}").json()["body"] == "Yo {{name}}"

    deleted = api.delete(f"dynamic_templates/{tid}")
    assert deleted.json() == {"message": "Template hello deleted!"}
    assert api.get("dynamic_templates").json() == []


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize("raw_id", ["999", "abc"])
def test_unknown_template_is_rails_404(api: httpx.Client, method: str, raw_id: str) -> None:
    response = api.request(
        method, f"dynamic_templates/{raw_id}", data={"data[name]": "x"} if method == "PATCH" else None
    )
    assert response.status_code == 404
    assert response.json()["error"].startswith(f"Couldn't find DynamicTemplate with 'id'={raw_id}")


def test_template_errors(api: httpx.Client) -> None:
    missing_body = api.post("dynamic_templates", data={"data[name]": "x"})
    assert missing_body.status_code == 400
    assert missing_body.json() == {"error": "param is missing or the value is empty: data"}
    invalid = create(api, "bad", "{{#if x}}never closed")
    assert invalid.status_code == 422
    assert invalid.json() == {"error": "Template body is invalid."}
    assert create(api, "dup", "a").status_code == 200
    assert create(api, "dup", "b").status_code == 422
    wrong_type = api.post("dynamic_templates", json={"data": {"name": "x", "body": "y"}})
    assert wrong_type.status_code == 400
    assert "error" in wrong_type.json()
    no_parts = api.patch(f"dynamic_templates/{template_id(api, 'dup')}", data={"other": "1"})
    assert no_parts.status_code == 400


def test_plain_text_body_part_is_accepted(api: httpx.Client) -> None:
    response = api.post("dynamic_templates", data={"data[name]": "t", "data[body]": "Hi {{x}}"})
    assert response.status_code == 200
    assert response.json()["params"]["body"] == "Hi {{x}}"


def templated(api: httpx.Client, values: object, name: str = "letter") -> httpx.Response:
    msg = {
        "recipients": ["jane@example.org"],
        "cc": [],
        "bcc": None,
        "headers": {"subject": "Hi {{name}}", "from": SENDER, "reply-to": None},
        "attachments": None,
    }
    return api.post(
        "templated_messages",
        json={"data": {"template_name": name, "template_values": values, "message": msg}},
    )


def test_templated_message_renders_and_is_recorded(api: httpx.Client, control: httpx.Client) -> None:
    create(api, "letter", "<p>{{name}}</p><ul>{{#each items}}<li>{{this}}</li>{{/each}}</ul>")
    response = templated(api, json.dumps({"name": "Jane", "items": ["a", "b"]}))
    assert response.status_code == 200, response.text
    assert response.json()["data"] == "Service OK"
    (row,) = control.get("/messages").json()["messages"]
    assert row["subject"] == "Hi Jane"
    assert row["kind"] == "templated_messages"
    assert row["sourceTrackingId"] == response.json()["sourceTrackingId"]


@pytest.mark.parametrize(
    ("values", "name", "fragment"),
    [
        ({"name": "Jane"}, "letter", "JSON-encoded string"),
        ("{not json", "letter", "not valid JSON"),
        ("[1]", "letter", "JSON object"),
        ("{}", "nope", "template not found"),
    ],
)
def test_templated_message_errors(api: httpx.Client, values: object, name: str, fragment: str) -> None:
    create(api, "letter", "<p>{{name}}</p>")
    response = templated(api, values, name)
    assert response.status_code == 400
    assert fragment in response.json()["errors"][0]["details"]


def test_templated_message_without_values(api: httpx.Client) -> None:
    create(api, "letter", "<p>{{name}}</p>")
    assert templated(api, None).status_code == 200
