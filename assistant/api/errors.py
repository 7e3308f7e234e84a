"""Map domain errors to HTTP responses at the edge: every error body is ``ErrorBody``
(OpenAI's error shape on the OpenAI-compatible ``/v1`` routes)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.errors import AssistantError, InvalidMessageError, UnknownSessionError
from assistant.support.errors import (
    ReturnAlreadyDecidedError,
    StaffAccountError,
    StaffAuthError,
    StaffForbiddenError,
    UnknownHandoffError,
    UnknownReturnError,
)
from assistant.support.identity import CustomerAuthError, SessionOwnerError
from db.errors import DatabaseError, InvalidReferenceError, NotFoundError
from retrieval.errors import RetrievalError

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = jsonable_encoder(details)
    return JSONResponse(status_code=status, content={"error": body})


# OpenAI-compatible routes (``/v1``, issue 7) answer errors in OpenAI's shape, so OpenAI client
# libraries raise their usual exceptions: {"error": {"message", "type", "param", "code"}}.
_OPENAI_TYPES = {
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    409: "conflict_error",
    429: "rate_limit_error",
}


def is_openai_path(path: str) -> bool:
    """Whether ``path`` belongs to the OpenAI-compatible API (``/v1/...``, not ``/api/v1``)."""
    return path == "/v1" or path.startswith("/v1/")


def openai_error_response(
    status: int, code: str, message: str, param: str | None = None
) -> JSONResponse:
    """An error in OpenAI's shape; ``type`` follows the status like OpenAI's own errors."""
    kind = _OPENAI_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    body = {"message": message, "type": kind, "param": param, "code": code}
    return JSONResponse(status_code=status, content={"error": body})


def error_response_for(
    path: str, status: int, code: str, message: str, details: Any = None
) -> JSONResponse:
    """The error body the route at ``path`` documents: OpenAI's on ``/v1``, else ``ErrorBody``.

    Middleware answering before a route runs (401, 413, 429) should use this too.
    """
    if not is_openai_path(path):
        return error_response(status, code, message, details)
    param = None
    if isinstance(details, list) and details and isinstance(details[0], dict):
        loc = [str(p) for p in details[0].get("loc", ()) if p != "body"]
        param = ".".join(loc) or None
    return openai_error_response(status, code, message, param)


def _validation_message(errors: list[dict[str, Any]]) -> tuple[int, str]:
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, "request body is not valid JSON"
    first = errors[0] if errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    return 422, f"{where}: {first.get('msg', 'invalid value')}"


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
    status, message = _validation_message(errors)
    return error_response_for(request.url.path, status, "invalid_request", message, errors)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
        exc.status_code, "http_error"
    )
    return error_response_for(request.url.path, exc.status_code, code, str(exc.detail))


def _on_staff(exc: Exception) -> JSONResponse | None:
    """Staff API errors (issue 6, DESK): 401 with a Bearer challenge, 403, 404, 409."""
    if isinstance(exc, StaffAuthError):
        response = error_response(401, "unauthorized", str(exc))
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    if isinstance(exc, StaffForbiddenError):
        return error_response(403, "forbidden", str(exc))
    if isinstance(exc, UnknownHandoffError | UnknownReturnError):
        return error_response(404, "not_found", str(exc))
    if isinstance(exc, ReturnAlreadyDecidedError | StaffAccountError):
        return error_response(409, "conflict", str(exc))
    return None


async def _on_domain(request: Request, exc: Exception) -> JSONResponse:
    if (staff_error := _on_staff(exc)) is not None:
        return staff_error
    if isinstance(exc, CustomerAuthError):
        return error_response_for(request.url.path, 401, "unauthorized", str(exc))
    if isinstance(exc, SessionOwnerError):
        return error_response_for(request.url.path, 403, "forbidden", str(exc))
    if isinstance(exc, UnknownSessionError | NotFoundError):
        return error_response_for(request.url.path, 404, "not_found", str(exc))
    if isinstance(exc, InvalidReferenceError):
        return error_response_for(request.url.path, 409, "conflict", str(exc))
    if isinstance(exc, InvalidMessageError):
        return error_response_for(request.url.path, 422, "invalid_message", str(exc))
    if isinstance(exc, RetrievalError | DatabaseError):
        log.exception("backing store failed on %s", request.url.path)
        return error_response_for(
            request.url.path, 503, "unavailable", "the store is temporarily unavailable; retry"
        )
    log.exception("unhandled assistant error on %s", request.url.path)
    return error_response_for(
        request.url.path, 500, "internal_error", "the assistant failed to answer; try again"
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    for exc_type in (AssistantError, DatabaseError, RetrievalError):
        app.add_exception_handler(exc_type, _on_domain)
