"""`toolgym serve` checks its arguments (and binds its port) before it loads a model."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from toolgym.core.errors import InputError
from toolgym.serve import commands


@pytest.fixture
def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was loaded before the arguments were checked")

    monkeypatch.setattr("toolgym.models.backends.make_generator", refuse)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"fmt": "xml"}, "--fmt"), ({"backend": "openai"}, "--backend"), ({"api_key": "  "}, "--api-key"),
    ({"host": "no such host.invalid"}, "--host"),
    ({"copy_bias": 2.0, "fmt": "python"}, "--copy-bias"), ({"call_bias": -1.0, "fmt": "json"}, "--call-bias"),
    ({"distinct_calls": True, "fmt": "python"}, "--distinct-calls"),
    ({"continue_bias": 1.0, "backend": "vllm"}, "--continue-bias"),
    ({"next_call_bias": 1.0, "fmt": "python"}, "--next-call-bias"),
])
def test_bad_arguments_fail_before_the_model_loads(no_model: None, kwargs: dict, field: str) -> None:
    with pytest.raises(InputError) as exc:
        commands.serve(port=0, **kwargs)
    assert exc.value.field == field


def test_not_an_adapter_folder(no_model: None, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="adapter_config.json") as exc:
        commands.serve(adapter=tmp_path, port=0)
    assert exc.value.field == "--adapter"


def test_a_taken_port_fails_before_the_model_loads(no_model: None) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        with pytest.raises(InputError, match="cannot listen") as exc:
            commands.serve(port=taken.getsockname()[1])
        assert exc.value.field == "--port"
    finally:
        taken.close()


def test_bind_defaults_to_loopback() -> None:
    sock = commands.bind("127.0.0.1", 0)
    try:
        assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()
    assert commands._is_loopback("127.0.0.1") and commands._is_loopback("::1") and commands._is_loopback("localhost")
    assert not commands._is_loopback("0.0.0.0")


def test_the_command_line_defaults_to_loopback_and_reads_the_key_from_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from toolgym.cli import main

    seen: dict[str, object] = {}
    real_bind = commands.bind

    def bind(host: str, port: int) -> socket.socket:
        seen.update(host=host, port=port)
        return real_bind(host, 0)

    def create_app(generator: object, name: str, **kwargs: object) -> None:
        seen.update(name=name, **kwargs)
        raise InputError("stop before uvicorn runs", field="--test")

    monkeypatch.setattr(commands, "bind", bind)
    monkeypatch.setattr("toolgym.models.backends.make_generator", lambda *a, **k: object())
    monkeypatch.setattr("toolgym.serve.app.create_app", create_app)
    monkeypatch.setenv(commands.API_KEY_ENV, "from-env")
    with pytest.raises(SystemExit):
        main(["serve"])
    assert (seen["host"], seen["port"], seen["api_key"]) == ("127.0.0.1", 8000, "from-env")
