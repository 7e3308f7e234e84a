"""Errors of the customer service desk; the API maps them to HTTP status codes.

``StaffAuthError`` is a 401 (no, wrong or expired credentials), ``StaffForbiddenError`` a 403
(a valid staff token without the right, e.g. a disabled or read-only account),
``UnknownHandoffError`` a 404.
"""

from __future__ import annotations

from assistant.errors import AssistantError


class SupportError(AssistantError):
    """Base class for customer service failures."""


class PolicyDocumentError(SupportError):
    """The policy documents cannot be read or split."""


class StaffAuthError(SupportError):
    """Missing, wrong or expired staff credentials."""


class StaffForbiddenError(SupportError):
    """A valid staff token whose account lacks the right for this action."""


class UnknownHandoffError(SupportError):
    """No handoff with this id."""


class StaffAccountError(SupportError):
    """A staff account cannot be created or changed (taken username, weak password)."""


class UnknownReturnError(SupportError):
    """No return request with this RMA number."""


class ReturnAlreadyDecidedError(SupportError):
    """The return was approved or rejected already."""
