"""`scripts/dev.py run`: CHARTSHARE_HOST/PORT choose the socket and the issuer follows them."""

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "dev.py"


def _dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_issuer_follows_the_port() -> None:
    assert _dev().serve_address({"CHARTSHARE_PORT": "9000"}) == (
        "127.0.0.1",
        "9000",
        "http://127.0.0.1:9000",
    )


def test_all_interfaces_are_reached_through_loopback_and_a_base_url_wins() -> None:
    dev = _dev()
    assert dev.serve_address({"CHARTSHARE_HOST": "0.0.0.0"})[2] == "http://127.0.0.1:8000"  # noqa: S104
    assert dev.serve_address(
        {"CHARTSHARE_PORT": "9000", "CHARTSHARE_BASE_URL": "https://api.example.org"}
    ) == ("127.0.0.1", "9000", "https://api.example.org")


@pytest.mark.parametrize("port", ["eighty", "0", "65536", "²"])  # "²" was a ValueError
def test_a_bad_port_is_a_clear_error(port: str) -> None:
    with pytest.raises(SystemExit, match="CHARTSHARE_PORT"):
        _dev().serve_address({"CHARTSHARE_PORT": port})
