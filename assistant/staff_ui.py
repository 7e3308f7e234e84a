"""The staff console (Gradio page at ``/staff``): log in, handoffs with transcripts, returns.

The staff token from the login form lives in ``gr.State`` (per browser tab, never in the page);
every action checks it again, so an expired token or a disabled account is sent back to the
login form. Shopper text and catalog text are untrusted: everything is escaped before it is
rendered as Markdown.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import gradio as gr

from assistant.support.console import HandoffView, StaffConsole
from assistant.support.errors import SupportError
from assistant.support.staff_auth import StaffAuth
from assistant.ui import escape_markdown

RETURN_COLUMNS = ["RMA", "Order", "Item", "Reason", "Opened", "Status", "Requested"]


def transcript_markdown(view: HandoffView) -> str:
    """The handoff's summary and conversation, escaped."""
    h = view.handoff
    lines = [
        f"### Case \\#{h.id} · {escape_markdown(h.status)}",
        f"**Why:** {escape_markdown(h.reason)}  ",
        f"**Summary:** {escape_markdown(h.summary)}",
        "",
    ]
    for entry in view.transcript:
        who = {"shopper": "Shopper", "assistant": "Assistant"}.get(entry.role, "Staff")
        if entry.role == "staff":
            who = f"Staff ({escape_markdown(entry.staff or '')})"
        when = entry.at.strftime("%Y-%m-%d %H:%M")
        lines.append(f"**{who}** · {when}  \n{escape_markdown(entry.text)}\n")
    return "\n".join(lines)


def _handoff_choices(console: StaffConsole) -> list[tuple[str, int]]:
    return [
        (f"#{v.handoff.id} · {v.handoff.reason} · {v.handoff.summary[:60]}", v.handoff.id)
        for v in console.handoffs("open")
    ]


def _return_rows(console: StaffConsole) -> list[list[Any]]:
    return [
        [r.rma, r.order_number, r.item_title, r.reason, r.opened, r.status,
         r.requested_at.strftime("%Y-%m-%d")]
        for r in console.returns("requested")
    ]  # fmt: skip


def _shown_as_error(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Refused tokens and failed actions become a visible message instead of a crash."""

    @functools.wraps(handler)
    def wrapped(*args: Any) -> Any:
        try:
            return handler(*args)
        except SupportError as e:
            raise gr.Error(str(e)) from e

    return wrapped


def build_staff_ui(auth: StaffAuth, console: StaffConsole) -> gr.Blocks:
    """The console page; staff accounts come from ``shopbot staff create``."""

    def login(username: str, password: str) -> tuple[Any, ...]:
        try:
            done = auth.login(username.strip(), password)
        except SupportError as e:
            return None, gr.update(visible=True), gr.update(visible=False), str(e), "", ""
        who = f"Signed in as **{escape_markdown(done.user.username)}** ({done.user.role})"
        return done.token, gr.update(visible=False), gr.update(visible=True), "", who, ""

    def logout(token: str | None) -> tuple[Any, ...]:
        if token:
            auth.logout(token)
        return None, gr.update(visible=True), gr.update(visible=False)

    @_shown_as_error
    def refresh(token: str | None) -> tuple[Any, ...]:
        auth.authenticate(token)
        return gr.update(choices=_handoff_choices(console), value=None), _return_rows(console)

    @_shown_as_error
    def show(token: str | None, handoff_id: int | None) -> str:
        auth.authenticate(token)
        return transcript_markdown(console.handoff(handoff_id)) if handoff_id else ""

    @_shown_as_error
    def send(token: str | None, handoff_id: int | None, text: str) -> tuple[str, str]:
        user = auth.require_writer(token)
        if not handoff_id or not text.strip():
            return text, show(token, handoff_id)
        console.reply(handoff_id, user, text.strip()[:2000])
        return "", show(token, handoff_id)

    @_shown_as_error
    def close(token: str | None, handoff_id: int | None) -> tuple[Any, str]:
        user = auth.require_writer(token)
        if handoff_id:
            console.close(handoff_id, user)
        return gr.update(choices=_handoff_choices(console), value=None), ""

    def decide(approve: bool) -> Any:
        @_shown_as_error
        def handler(token: str | None, rma: str, note: str) -> tuple[list[list[Any]], str]:
            user = auth.require_writer(token)
            if not rma.strip():
                return _return_rows(console), "Enter the RMA number of a return first."
            done = console.decide(rma.strip(), user, approve=approve, note=note.strip())
            return _return_rows(console), f"{done.rma}: {done.status}"

        return handler

    with gr.Blocks(title="Staff console") as page:
        token = gr.State(None)
        gr.Markdown("## Customer service console")
        with gr.Group(visible=True) as login_box:
            username = gr.Textbox(label="Username", elem_id="staff-username")
            password = gr.Textbox(label="Password", type="password", elem_id="staff-password")
            login_button = gr.Button("Log in", variant="primary", elem_id="staff-login")
            login_error = gr.Markdown()
        with gr.Column(visible=False) as desk:
            with gr.Row():
                who = gr.Markdown()
                refresh_button = gr.Button("Refresh", size="sm")
                logout_button = gr.Button("Log out", size="sm")
            with gr.Tab("Handoffs"):
                picked = gr.Dropdown(label="Open handoffs", choices=[], elem_id="staff-handoffs")
                transcript = gr.Markdown(elem_id="staff-transcript")
                message = gr.Textbox(label="Reply to the shopper", lines=3, max_length=2000)
                with gr.Row():
                    send_button = gr.Button("Send reply", variant="primary")
                    close_button = gr.Button("Close handoff")
            with gr.Tab("Returns"):
                table = gr.Dataframe(headers=RETURN_COLUMNS, interactive=False)
                rma = gr.Textbox(label="RMA number", max_lines=1)
                note = gr.Textbox(label="Note for the shopper", max_length=2000)
                with gr.Row():
                    approve = gr.Button("Approve", variant="primary")
                    reject = gr.Button("Reject", variant="stop")
                outcome = gr.Markdown()

        login_outputs = [token, login_box, desk, login_error, who, password]
        login_button.click(login, [username, password], login_outputs).then(
            refresh, [token], [picked, table]
        )
        logout_button.click(logout, [token], [token, login_box, desk])
        refresh_button.click(refresh, [token], [picked, table])
        picked.change(show, [token, picked], [transcript])
        send_button.click(send, [token, picked, message], [message, transcript])
        close_button.click(close, [token, picked], [picked, transcript])
        approve.click(decide(True), [token, rma, note], [table, outcome])
        reject.click(decide(False), [token, rma, note], [table, outcome])
    return page
