"""A fork server that starts the real app (``app.main``) fast, so it can be killed 30+ times.

``python app.py`` spends ~8 s importing torch, transformers, Chroma and Gradio before it opens
the store. This launcher imports those modules once, then forks one child per start; the
child sets its environment, redirects its output to a log file and runs ``app.main()``, the
function ``python app.py`` runs, which opens the SQL store and the Chroma directory itself.
Nothing of the store is open in the launcher, so a SIGKILL of the child is a crash of the
whole server process, exactly as for ``python app.py``.

Protocol: one JSON object per line on stdin, one JSON answer per line on stdout.

* ``{"cmd": "start", "env": {...}, "log": "/path/server.log"}`` -> ``{"pid": 1234}``
* ``{"cmd": "reap"}`` -> ``{"reaped": {"1234": -9}}`` (exit statuses of ended children;
  a negative status is the signal that ended it)
* end of input: live children are killed and the launcher exits.

Run: ``python -m tests.crash.launcher`` with the repository as working directory.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from typing import Any, TextIO


def preload() -> None:
    """Import what the server imports (module code only: no store, no model weights)."""
    import chromadb  # noqa: F401
    import torch  # noqa: F401
    import transformers.models.bert.modeling_bert  # noqa: F401
    from transformers import AutoModel, AutoTokenizer  # noqa: F401

    import app  # noqa: F401  (gradio, fastapi, uvicorn and the whole assistant)


def run_child(env: dict[str, str], log_path: str, answers_fd: int) -> None:
    """In the forked child: become the server. Never returns."""
    status = 1
    try:
        os.close(answers_fd)
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        sys.stdin.close()
        os.environ.update(env)
        import app

        app.main()
        status = 0
    except BaseException:  # the child must never return into the launcher's loop
        import traceback

        traceback.print_exc()
    finally:
        os._exit(status)


def reap(children: set[int]) -> dict[str, int]:
    """Collect the children that have ended (without blocking)."""
    ended: dict[str, int] = {}
    for pid in sorted(children):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            children.discard(pid)
            code = os.waitstatus_to_exitcode(status)
            ended[str(pid)] = code
    return ended


def serve(commands: TextIO, answers: TextIO) -> None:
    """Answer commands until end of input, then kill the children still alive."""
    children: set[int] = set()
    for line in commands:
        request: dict[str, Any] = json.loads(line)
        if request["cmd"] == "start":
            pid = os.fork()
            if pid == 0:
                run_child(request["env"], request["log"], answers.fileno())
            children.add(pid)
            answer: dict[str, Any] = {"pid": pid}
        elif request["cmd"] == "reap":
            answer = {"reaped": reap(children)}
        else:
            answer = {"error": f"unknown command {request['cmd']!r}"}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
    for pid in children:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def main() -> None:
    # Answers go to the original stdout; anything else printed (imports, logging) to stderr.
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    preload()
    answers.write(json.dumps({"ready": os.getpid()}) + "\n")
    answers.flush()
    serve(sys.stdin, answers)


if __name__ == "__main__":
    main()
