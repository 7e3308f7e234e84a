"""The staff API (``/api/v1/staff``): log in, the handoff queue, replies, return decisions.

Every route but ``/login`` takes ``Authorization: Bearer <token>``: no, a wrong or an expired
token is a 401; a valid token of a disabled account, or of a read-only (``viewer``) account on a
route that changes something, is a 403. Errors use the API's error envelope.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status

from assistant.api.deps import BearerDep, ServicesDep, StaffUser, StaffWriter
from assistant.api.schemas import NO_NUL, SQL_INT_MAX, ErrorBody
from assistant.api.staff_schemas import (
    DecisionRequest,
    HandoffOut,
    HandoffsResponse,
    LoginRequest,
    LoginResponse,
    ReturnOut,
    ReturnsResponse,
    StaffMessageOut,
    StaffReplyRequest,
    StaffUserOut,
)
from assistant.support.console import HandoffView
from db.order_records import ReturnRecord, ReturnStatus
from db.support_records import HandoffStatus

STAFF_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing, wrong or expired staff token"},
    403: {"model": ErrorBody, "description": "Account disabled or read-only"},
    404: {"model": ErrorBody, "description": "Unknown handoff or return"},
    409: {"model": ErrorBody, "description": "Return already decided"},
    400: {"model": ErrorBody, "description": "Malformed request body"},
    413: {"model": ErrorBody, "description": "Request body larger than max_body_bytes"},
    422: {"model": ErrorBody, "description": "Invalid fields"},
    503: {"model": ErrorBody, "description": "The store is temporarily unavailable; retry"},
    504: {"model": ErrorBody, "description": "The request took longer than the timeout"},
}

# Row ids are SQL BIGINTs: larger numbers are a 422, not a driver overflow (a 500).
HandoffId = Annotated[int, Path(ge=1, le=SQL_INT_MAX)]

staff_api = APIRouter(prefix="/api/v1/staff", tags=["staff"], responses=STAFF_ERRORS)


def _handoff_out(view: HandoffView) -> HandoffOut:
    return HandoffOut(**view.handoff.model_dump(), transcript=view.transcript)


def _return_out(record: ReturnRecord) -> ReturnOut:
    return ReturnOut.model_validate(record.model_dump())


@staff_api.post("/login", response_model=LoginResponse)
def login(body: LoginRequest, services: ServicesDep) -> LoginResponse:
    """Exchange a username and password for a bearer token (valid for a working day)."""
    done = services.support.staff_auth.login(body.username, body.password)
    return LoginResponse(
        token=done.token,
        expires_at=done.expires_at,
        username=done.user.username,
        role=done.user.role,
    )


@staff_api.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(user: StaffUser, credentials: BearerDep, services: ServicesDep) -> None:
    """Revoke the token used for this request."""
    if credentials is not None:
        services.support.staff_auth.logout(credentials.credentials)


@staff_api.get("/me", response_model=StaffUserOut)
def me(user: StaffUser) -> StaffUserOut:
    """Who the token belongs to and whether the account may act."""
    return StaffUserOut(username=user.username, role=user.role, can_write=user.can_write)


@staff_api.get("/handoffs", response_model=HandoffsResponse)
def list_handoffs(
    user: StaffUser,
    services: ServicesDep,
    handoff_status: HandoffStatus = Query("open", alias="status"),
) -> HandoffsResponse:
    """Handed-off conversations (oldest first) with summaries and transcripts."""
    views = services.support.console.handoffs(handoff_status)
    return HandoffsResponse(handoffs=[_handoff_out(v) for v in views])


@staff_api.get("/handoffs/{handoff_id}", response_model=HandoffOut)
def get_handoff(handoff_id: HandoffId, user: StaffUser, services: ServicesDep) -> HandoffOut:
    """One handoff with its transcript."""
    return _handoff_out(services.support.console.handoff(handoff_id))


@staff_api.post(
    "/handoffs/{handoff_id}/messages",
    response_model=StaffMessageOut,
    status_code=status.HTTP_201_CREATED,
)
def reply(
    handoff_id: HandoffId, body: StaffReplyRequest, user: StaffWriter, services: ServicesDep
) -> StaffMessageOut:
    """Reply into the handed-off conversation; the shopper sees it in their chat."""
    message = services.support.console.reply(handoff_id, user, body.text)
    return StaffMessageOut(
        id=message.id,
        session_id=message.session_id,
        staff=message.staff_username,
        text=message.text,
        created_at=message.created_at,
    )


@staff_api.post("/handoffs/{handoff_id}/close", response_model=HandoffOut)
def close_handoff(handoff_id: HandoffId, user: StaffWriter, services: ServicesDep) -> HandoffOut:
    """Close a handoff (the conversation leaves the queue)."""
    console = services.support.console
    console.close(handoff_id, user)
    return _handoff_out(console.handoff(handoff_id))


@staff_api.get("/returns", response_model=ReturnsResponse)
def list_returns(
    user: StaffUser,
    services: ServicesDep,
    return_status: ReturnStatus = Query("requested", alias="status"),
) -> ReturnsResponse:
    """Return requests in one status, oldest first (``requested`` = waiting for a decision)."""
    records = services.support.console.returns(return_status)
    return ReturnsResponse(returns=[_return_out(r) for r in records])


@staff_api.post("/returns/{rma}/decision", response_model=ReturnOut)
def decide_return(
    rma: Annotated[str, Path(max_length=64, pattern=NO_NUL)],
    body: DecisionRequest,
    user: StaffWriter,
    services: ServicesDep,
) -> ReturnOut:
    """Approve or reject a requested return with a note."""
    decided = services.support.console.decide(rma, user, approve=body.approve, note=body.note)
    return _return_out(decided)
