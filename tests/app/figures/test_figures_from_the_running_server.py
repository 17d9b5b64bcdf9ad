"""``vigil figures`` asks the running ``vigil serve`` of its data directory over a Unix socket, and counts
itself when no server answers."""

from __future__ import annotations

import json
import socket
import stat
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from vigil import cli
from vigil.figures import socket_service
from vigil.figures.counting import event_figures

from ..factories import detain


@pytest.fixture
def server(audit_log_flushable: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("VIGIL_DATA_DIR", str(settings.DATA_DIR))
    with socket_service.FiguresSocket(Path(settings.DATA_DIR)) as running:
        yield running


def _no_django_command(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(argv: list[str]) -> None:
        raise AssertionError(f"the command ran itself: {argv}")

    monkeypatch.setattr("django.core.management.execute_from_command_line", refuse)


def test_vigil_figures_prints_the_servers_figures_without_counting_itself(
    server: Any,
    coordinator: Any,
    rally: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    detain(coordinator, "Сяргей Ціханоўскі", event="2020-11-08-minsk")
    detain(coordinator, head_count=5, event="2020-11-08-grodno", city="Grodno")
    _no_django_command(monkeypatch)
    assert cli.main(["figures", rally.slug, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == event_figures(rally)
    assert (printed["persons"], printed["unnamed_head_count"]) == (1, 5)


def test_the_text_output_is_the_same_from_the_server_and_from_the_command(
    server: Any, coordinator: Any, rally: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management import call_command

    detain(coordinator, "Иван Иванов", event="2020-11-08-minsk")
    assert cli.main(["figures", rally.slug]) == 0
    from_server = capsys.readouterr().out
    call_command("figures", rally.slug)
    assert capsys.readouterr().out == from_server
    assert "persons" in from_server and "Minsk" in from_server


def test_an_unknown_event_is_refused_by_the_server_with_the_commands_message(
    server: Any, rally: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_django_command(monkeypatch)
    assert cli.main(["figures", "no-such-event"]) == 1
    err = capsys.readouterr().err
    assert "no event with slug 'no-such-event'" in err and "2020-11-08-march" in err


def test_without_a_server_the_command_counts_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIL_DATA_DIR", str(tmp_path))
    with pytest.raises(socket_service.NoAnswer):
        socket_service.ask(tmp_path, None)
    assert socket_service.run_client(["--json"]) is None


def test_a_locked_server_sends_the_command_back_to_counting_itself(
    server: Any, rally: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("vigil.protection.keys.is_unlocked", lambda: False)
    with pytest.raises(socket_service.NoAnswer, match="locked"):
        socket_service.ask(Path(settings.DATA_DIR), rally.slug)
    assert socket_service.run_client([rally.slug]) is None


def test_only_this_user_can_reach_the_socket_and_it_goes_away_with_the_server(
    audit_log_flushable: Any,
) -> None:
    data_dir = Path(settings.DATA_DIR)
    path = socket_service.socket_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(path))  # left behind by a server killed with SIGKILL
    stale.close()
    with socket_service.FiguresSocket(data_dir):
        assert stat.S_ISSOCK(path.stat().st_mode)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert socket_service.ask(data_dir, None)["event"] is None
    assert not path.exists()


def test_options_the_fast_path_does_not_know_go_to_the_full_command(server: Any) -> None:
    assert socket_service.run_client(["--help"]) is None
    assert socket_service.run_client(["a", "b"]) is None


def test_the_server_drops_its_keys_when_destroy_asks_it_to(
    server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked: list[bool] = []
    monkeypatch.setattr("vigil.protection.keys.lock_now", lambda: locked.append(True))
    assert socket_service.ask_to_lock(Path(settings.DATA_DIR)) is True
    assert locked == [True]


def test_asking_to_lock_with_no_server_says_no_one_answered(tmp_path: Path) -> None:
    assert socket_service.ask_to_lock(tmp_path) is False
