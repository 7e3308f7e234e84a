"""Staff replies in the shopper's chat page: a timer polls the session's staff messages.

A reply is shown once: the poll adds the staff messages that are not in the chat yet
(compared by their rendered text, so a poll that races a chat turn is repaired on the next
tick). Gradio's chatbot sanitising stays on; the text is shown as plain text.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant.support.staff_feed import StaffMessageFeed, StaffReply, staff_replies

POLL_SECONDS = 3.0


def staff_line(reply: StaffReply) -> str:
    """How a staff reply reads in the chat."""
    return f"[Customer service · {reply.staff}] {reply.text}"


def new_staff_lines(
    feed: StaffMessageFeed, session_id: str | None, history: list[dict[str, Any]]
) -> list[str]:
    """The session's staff replies that the chat does not show yet, in order."""
    if not session_id:
        return []
    shown = {str(m.get("content")) for m in history if m.get("role") == "assistant"}
    lines = [staff_line(r) for r in staff_replies(feed, session_id)]
    return [line for line in lines if line not in shown]


def attach_staff_replies(
    chatbot: gr.Chatbot, session_state: gr.State, feed: StaffMessageFeed
) -> gr.Timer:
    """Poll every few seconds and append new staff replies to the conversation."""
    timer = gr.Timer(POLL_SECONDS)

    def poll(session_id: str | None, history: list[dict[str, Any]]) -> Any:
        lines = new_staff_lines(feed, session_id, history or [])
        if not lines:
            return gr.skip()
        return [*history, *({"role": "assistant", "content": line} for line in lines)]

    timer.tick(poll, inputs=[session_state, chatbot], outputs=[chatbot], show_progress="hidden")
    return timer
