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
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = settings or Settings()
    services = Services(settings)
    services.bootstrap(show_progress=True)
    if settings.serve_torch_threads:
        import torch

        torch.set_num_threads(settings.serve_torch_threads)
    app = create_app(services)
    print(f"Shopbot is ready on http://{settings.host}:{settings.port}/  (API docs at /docs)")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")


if __name__ == "__main__":
    main()
