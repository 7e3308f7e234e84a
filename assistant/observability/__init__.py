"""Observability: Prometheus metrics, JSON logs with request/session/turn ids, health checks.

Domain code only imports :mod:`assistant.observability.stages` and
:mod:`assistant.observability.context` (no prometheus-client there); the app wires the rest.
"""
