"""The example partner app walks the whole flow against a real chartshare server."""

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from examples import partner_app
from tests.browser.oauth_flow import patient_in_browser
from tests.browser.server import LiveServer, live_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("example-server")) as running:
        yield running


def _alice_allows(url: str) -> str:
    return patient_in_browser(url, redirect_uri=partner_app.REDIRECT_URI)


def test_the_example_app_runs_end_to_end(server: LiveServer, tmp_path: Path) -> None:
    outcome = partner_app.run(server.base_url, browser=_alice_allows)

    # Unsupported and write permissions were negotiated down, not refused.
    assert "patient/Observation.rs" in outcome.granted_scope
    assert "patient/Observation.cruds" not in outcome.granted_scope
    assert "profile" in outcome.granted_scope

    # The token's patient, the id_token's fhirUser, userinfo and GraphQL agree on one id.
    patient = outcome.record["patient"]
    assert patient["fhirId"] == outcome.patient
    assert base64.b64decode(patient["id"]).decode() == f"Patient:{outcome.patient}"
    assert outcome.fhir_user == f"{server.base_url}/fhir/Patient/{outcome.patient}"
    assert outcome.userinfo["fhirUser"] == outcome.fhir_user
    assert outcome.userinfo["name"]
    assert patient["labResults"]["totalCount"] > 0
    assert patient["labResults"]["edges"][0]["node"]["code"]["system"] == "http://loinc.org"

    assert outcome.refreshed and outcome.rotated
    assert outcome.revoked_token_refused
