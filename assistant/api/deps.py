"""FastAPI dependencies: the process's services, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from assistant.service import ShoppingAssistant
from assistant.wiring import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def get_assistant(request: Request) -> ShoppingAssistant:
    return get_services(request).assistant


ServicesDep = Annotated[Services, Depends(get_services)]
AssistantDep = Annotated[ShoppingAssistant, Depends(get_assistant)]
