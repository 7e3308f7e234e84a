"""FastAPI dependencies: the process's services, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assistant.service import ShoppingAssistant
from assistant.wiring import Services
from db.support_records import StaffUserRecord


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def get_assistant(request: Request) -> ShoppingAssistant:
    return get_services(request).assistant


ServicesDep = Annotated[Services, Depends(get_services)]
AssistantDep = Annotated[ShoppingAssistant, Depends(get_assistant)]

# --- Staff (issue 6, DESK): a bearer token from POST /api/v1/staff/login --------------------
_bearer = HTTPBearer(auto_error=False, description="A staff token from /api/v1/staff/login.")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def get_staff_user(request: Request, credentials: BearerDep) -> StaffUserRecord:
    """The staff account behind the bearer token (401 without a valid one, 403 if disabled)."""
    token = credentials.credentials if credentials is not None else None
    return get_services(request).support.staff_auth.authenticate(token)


def get_staff_writer(request: Request, credentials: BearerDep) -> StaffUserRecord:
    """Like :func:`get_staff_user`, and the account may act (403 for read-only accounts)."""
    token = credentials.credentials if credentials is not None else None
    return get_services(request).support.staff_auth.require_writer(token)


StaffUser = Annotated[StaffUserRecord, Depends(get_staff_user)]
StaffWriter = Annotated[StaffUserRecord, Depends(get_staff_writer)]
