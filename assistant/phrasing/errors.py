"""Why an LLM phrasing was not used (the template reply is used instead)."""

from __future__ import annotations


class PhrasingError(Exception):
    """Base class: the model's phrasing cannot be used."""


class PhrasingFailed(PhrasingError):
    """The model raised, returned nothing usable, or did not answer in time."""


class PhrasingTimeout(PhrasingFailed):
    """The model did not answer within ``llm_timeout_seconds``."""


class PhrasingRejected(PhrasingError):
    """The model stated something the facts do not support (a price, a name, a number)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
