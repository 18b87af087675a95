"""Response shapes exactly as Paubox sends them: JSON bodies, both error envelopes, the gateway 404."""

from __future__ import annotations

import json

from aiohttp import web

GATEWAY_404_HTML = (
    "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
    "<center><h1>404 Not Found</h1></center>\r\n</body>\r\n</html>\r\n"
)
GATEWAY_502_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)
GATEWAY_504_HTML = (
    "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n"
    "<center><h1>504 Gateway Time-out</h1></center>\r\n</body>\r\n</html>\r\n"
)


class ApiError(Exception):
    """A message-endpoint error, rendered as ``{"errors":[{code,title,details}]}``."""

    def __init__(
        self,
        status: int,
        title: str,
        details: str,
        *,
        slug: str | None = None,
        extra: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(details)
        self.status = status
        self.title = title
        self.details = details
        self.slug = slug
        self.extra = extra or {}
        self.headers = headers or {}

    def response(self) -> web.Response:
        item: dict[str, object] = {"code": self.status}
        if self.slug is not None:
            item["status"] = self.slug
        item["title"] = self.title
        item["details"] = self.details
        return json_response({"errors": [item], **self.extra}, status=self.status, headers=self.headers)


class TemplateError(Exception):
    """A dynamic-template error, rendered Rails-style as ``{"error": "..."}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> web.Response:
        return json_response({"error": self.message}, status=self.status)


def bad_request(details: str, title: str = "Bad Request") -> ApiError:
    return ApiError(400, title, details)


def unauthorized() -> ApiError:
    """The captured legacy 401 body; Paubox uses it for a missing, wrong or mismatched key."""
    return ApiError(
        401,
        "Invalid Access Token",
        "Access token is missing or does not match endpoint username",
        slug="invalid_access_token",
    )


def json_response(payload: object, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        body=json.dumps(payload).encode(),
        status=status,
        content_type="application/json",
        charset="utf-8",
        headers=headers,
    )


def html_response(html: str, status: int) -> web.Response:
    return web.Response(text=html, status=status, content_type="text/html")


def gateway_404() -> web.Response:
    return html_response(GATEWAY_404_HTML, 404)
