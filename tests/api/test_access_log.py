"""The access log never holds a query string (where a careless client may put a token)."""

import logging

import pytest

from api.access_log import ACCESS_LOGGER, DropQueryStrings, install_access_log_filter


def _access_record(path: str) -> logging.LogRecord:
    return logging.LogRecord(
        ACCESS_LOGGER,
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", path, "1.1", 400),
        None,
    )


def test_the_query_string_is_dropped_from_access_records() -> None:
    record = _access_record("/oauth/token?code=secret-code&access_token=abc")
    assert DropQueryStrings().filter(record)
    message = record.getMessage()
    assert message == '127.0.0.1:5000 - "POST /oauth/token HTTP/1.1" 400'
    assert "secret-code" not in message


def test_the_filter_is_installed_once_on_uvicorns_access_logger(
    caplog: pytest.LogCaptureFixture,
) -> None:
    install_access_log_filter()
    install_access_log_filter()
    access = logging.getLogger(ACCESS_LOGGER)
    assert sum(isinstance(f, DropQueryStrings) for f in access.filters) == 1
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        access.info(*_access_record_args("/graphql?token=abc"))
    assert "token=abc" not in caplog.text
    assert "/graphql" in caplog.text


def _access_record_args(path: str) -> tuple[object, ...]:
    record = _access_record(path)
    return (record.msg, *record.args)  # type: ignore[misc]
