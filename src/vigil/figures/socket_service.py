"""``vigil figures`` answered by the running, unlocked ``vigil serve`` of the same data directory.

Every other command starts Python and Django and derives the key from the passphrase (Argon2id, by design
about a second) before it can count anything. While ``vigil serve`` runs it already holds the keys, so it
listens on a Unix socket, ``DATA_DIR/run/figures.sock`` (directory 0700, socket 0600: only this user), that
answers one question: the figures of an event, or the totals. They are the aggregate counts the public
figures page shows, never a name. ``vigil figures`` asks there first, with nothing but the standard library
loaded, and computes them itself when no server answers. The socket goes away when the server stops, and
answers "locked" after "lock now".

It takes one order as well: ``{"lock": true}``, sent by ``vigil keys destroy`` once the keyfile is gone, makes
the server drop its keys from memory as "lock now" does (:func:`ask_to_lock`), so that a destroyed instance's
keys do not live on in a running server. Anyone who can reach the socket (this user) could stop the server
anyway.

The client half of this module imports nothing from Django.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import socketserver
import stat
import sys
import threading
from pathlib import Path
from typing import Any

from vigil.figures import FIGURES

SOCKET_NAME = "figures.sock"
CLIENT_TIMEOUT = 30.0


class NoAnswer(Exception):
    """No server answers on the socket (none running, or it is locked): compute the figures here instead."""


class Refused(Exception):
    """The server answered with an error meant for the user (an unknown event)."""


def data_dir_from_env() -> Path:
    """The data directory as ``vigil.settings`` chooses it, without loading the settings."""
    return Path(os.environ.get("VIGIL_DATA_DIR", Path.home() / ".local" / "share" / "vigil")).expanduser()


def socket_path(data_dir: Path) -> Path:
    return data_dir / "run" / SOCKET_NAME


# --- client ----------------------------------------------------------------------------------------------


def ask(data_dir: Path, event: str | None) -> dict[str, Any]:
    """The figures from the server of ``data_dir``. Raises NoAnswer, or Refused with the server's message."""
    path = socket_path(data_dir)
    if not path.exists():
        raise NoAnswer("no server socket")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(CLIENT_TIMEOUT)
            conn.connect(str(path))
            conn.sendall(json.dumps({"figures": event}).encode() + b"\n")
            with conn.makefile("rb") as reader:
                line = reader.readline()
    except OSError as exc:  # a stale socket of a server that died, a timeout
        raise NoAnswer(str(exc)) from None
    try:
        answer = json.loads(line)
    except ValueError:
        raise NoAnswer("no answer") from None
    if "figures" in answer:
        return answer["figures"]  # type: ignore[no-any-return]
    if answer.get("error") == "no_event":
        raise Refused(answer["message"])
    raise NoAnswer(answer.get("message", "the server did not answer"))


def ask_to_lock(data_dir: Path, *, timeout: float = 5.0) -> bool:
    """Ask the server of ``data_dir`` to drop its keys from memory; True when one answered that it did."""
    path = socket_path(data_dir)
    if not path.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout)
            conn.connect(str(path))
            conn.sendall(b'{"lock": true}\n')
            with conn.makefile("rb") as reader:
                answer = json.loads(reader.readline() or b"{}")
    except (OSError, ValueError):
        return False
    return isinstance(answer, dict) and answer.get("locked") is True


def format_figures(figures: dict[str, Any], *, as_json: bool) -> str:
    """The output of ``vigil figures``, the same whether the server or the command counted."""
    if as_json:
        return json.dumps(figures, ensure_ascii=False, indent=2)
    title = f"{figures['event_name']} ({figures['event_date']})" if figures["event"] else "All records"
    if figures["is_synthetic"]:
        title += "  [SYNTHETIC DEMO DATA]"
    lines = [title]
    for key in FIGURES:
        lines.append(f"  {key:<22} {figures[key]:>8}")
    lines.append("  by city:")
    lines += [f"    {row['city']:<20} {row['persons']:>8}" for row in figures["by_city"]]
    lines.append("  by day:")
    lines += [f"    {row['day']:<20} {row['persons']:>8}" for row in figures["by_day"]]
    return "\n".join(lines)


def run_client(argv: list[str]) -> int | None:
    """``vigil figures`` through a running server: an exit code, or None to run the command itself (no
    server, options this path does not handle, or the server could not answer)."""
    positional = [a for a in argv if not a.startswith("-")]
    options = [a for a in argv if a.startswith("-")]
    if len(positional) > 1 or any(o != "--json" for o in options):
        return None  # --help, Django's options: the full command handles them
    try:
        figures = ask(data_dir_from_env(), positional[0] if positional else None)
    except NoAnswer:
        return None
    except Refused as exc:
        print(f"CommandError: {exc}", file=sys.stderr)
        return 1
    print(format_figures(figures, as_json="--json" in options))
    return 0


# --- server ----------------------------------------------------------------------------------------------


def _answer(question: dict[str, Any]) -> dict[str, Any]:
    from django.db import connection

    from vigil.figures.counting import event_figures
    from vigil.protection import keys
    from vigil.records.models import Event

    if question.get("lock") is True:
        keys.lock_now()
        return {"locked": True}
    if not keys.is_unlocked():
        return {"error": "locked", "message": "the server is locked"}
    try:
        slug = question.get("figures")
        event = None
        if slug:
            event = Event.objects.filter(slug=str(slug)).first()
            if event is None:
                known = ", ".join(Event.objects.order_by("slug").values_list("slug", flat=True)[:20])
                return {
                    "error": "no_event",
                    "message": f"no event with slug {slug!r}; known events: {known or 'none'}",
                }
        return {"figures": event_figures(event)}
    finally:
        connection.close()  # this thread's connection: the next question may come in another thread


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        try:
            question = json.loads(self.rfile.readline(4096))
            if not isinstance(question, dict):
                raise ValueError("not an object")
        except ValueError:
            answer: dict[str, Any] = {"error": "bad_request", "message": "expected one JSON object"}
        else:
            try:
                answer = _answer(question)
            except Exception as exc:  # the client falls back to counting itself; the server keeps serving
                answer = {"error": "failed", "message": type(exc).__name__}
        self.wfile.write(json.dumps(answer, ensure_ascii=False).encode() + b"\n")


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class FiguresSocket:
    """The server half: ``start()`` in ``vigil serve``, ``stop()`` when it ends (also on exceptions)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = socket_path(data_dir)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.path.parent, 0o700)
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISSOCK(self.path.lstat().st_mode):
                self.path.unlink()  # left by a server that was killed
        old = os.umask(0o177)  # the socket is created 0600: bind() applies the umask
        try:
            self._server = _Server(str(self.path), _Handler)
        finally:
            os.umask(old)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="vigil-figures-socket", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def __enter__(self) -> FiguresSocket:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
