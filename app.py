"""Wiring only: settings -> services -> FastAPI app with the Gradio chat page mounted at ``/``.

Run with ``python app.py`` (or ``shopbot serve``).
"""

from __future__ import annotations

import logging

from assistant.wiring import Services, quiet_third_parties

quiet_third_parties()

import gradio as gr  # noqa: E402  (the environment must be set before gradio is imported)
import uvicorn  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from assistant.api.errors import install_error_handlers  # noqa: E402
from assistant.api.limits import install_api_middleware  # noqa: E402
from assistant.api.openai_routes import openai_api  # noqa: E402
from assistant.api.routes import api, health  # noqa: E402
from assistant.api.staff_routes import staff_api  # noqa: E402
from assistant.api.stream_routes import stream_api  # noqa: E402
from assistant.api.widget_routes import widget  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.observability.install import install_observability  # noqa: E402
from assistant.observability.logging import configure_logging  # noqa: E402
from assistant.staff_ui import build_staff_ui  # noqa: E402
from assistant.ui import build_chat_ui  # noqa: E402
from db.api_keys import ApiKeyRepository  # noqa: E402


def create_app(services: Services) -> FastAPI:
    """The HTTP app for already-built services (the store is expected to be bootstrapped)."""
    app = FastAPI(
        title="Shopbot",
        version="0.1.0",
        summary="A conversational shopping assistant over the Icecat electronics catalog.",
    )
    app.state.services = services
    install_error_handlers(app)
    # CORS, body size, API keys, rate limits, timeout on /api and /v1 (issue 7, KEYS).
    install_api_middleware(app, services.settings, ApiKeyRepository(services.session_factory))
    app.include_router(health)
    app.include_router(api)
    app.include_router(stream_api)  # /api/v1/chat/stream (Server-Sent Events)
    app.include_router(openai_api)  # /v1/models, /v1/chat/completions (OpenAI-compatible)
    app.include_router(staff_api)
    app.include_router(widget)  # /widget.js and /widget/demo (no API key needed)
    # /metrics and request timing (issue 8): before the Gradio mount at "/" (which would catch
    # /metrics) and after the other middleware, so it is outermost and times their refusals too.
    install_observability(app, services.metrics, services.settings.metrics_token)
    # The staff console first: the shopper page at "/" would otherwise catch "/staff".
    support = services.support
    staff_page = build_staff_ui(support.staff_auth, support.console)
    app = gr.mount_gradio_app(app, staff_page, path="/staff")
    page = build_chat_ui(
        services.assistant,
        services.conversations,
        services.products,
        demo_customers=services.demo_login_customers(),
        staff_feed=support.handoffs,
    )
    return gr.mount_gradio_app(app, page, path="/", footer_links=["api"])


def main(settings: Settings | None = None) -> None:
    """Bootstrap the store (first run: load the bundled catalog, build the index) and serve."""
    settings = settings or Settings()
    # One event per line, JSON by default, with request/session/turn ids (issue 8).
    configure_logging(settings.log_format, settings.log_level)
    services = Services(settings)
    services.bootstrap(show_progress=True)
    if settings.serve_torch_threads:
        services.set_encoder_threads(settings.serve_torch_threads)  # torch and ONNX Runtime
    app = create_app(services)
    print(f"Shopbot is ready on http://{settings.host}:{settings.port}/  (API docs at /docs)")
    # log_config=None: uvicorn's records go through our handler; requests are logged by the
    # metrics middleware (route template, status, duration, request id), not the access log.
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        log_config=None,
        access_log=False,
    )


def served_app() -> FastAPI:
    """The app for several workers or machines (issue 8, backends): an ASGI factory.

    ``uvicorn --factory app:served_app --workers 4 --host 0.0.0.0 --port 7860`` (settings
    from the ``SHOPBOT_*`` environment). Every worker bootstraps under the database's
    start-up lock, so the first migrates, ingests and indexes and the others find the store
    ready. Workers that share an index need a Chroma server (``SHOPBOT_CHROMA_HOST``): an
    embedded Chroma directory has one writer process.
    """
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    if settings.chroma_host is None:
        logging.getLogger(__name__).warning(
            "served_app with an embedded Chroma directory: run one worker, or use a Chroma "
            "server (SHOPBOT_CHROMA_HOST) for several"
        )
    services = Services(settings)
    services.bootstrap(show_progress=False)
    if settings.serve_torch_threads:
        services.set_encoder_threads(settings.serve_torch_threads)  # torch and ONNX Runtime
    return create_app(services)


if __name__ == "__main__":
    main()
