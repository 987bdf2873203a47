"""The CapabilityStatement, SMART discovery under /fhir, and ids shared with GraphQL."""

import base64

import httpx
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from sqlmodel.ext.asyncio.session import AsyncSession

from schema.records import RECORD_KINDS
from sharing.fhir.ids import TYPE_NAMES, resource_type_of, row_resource_id
from sharing.scopes import CategoryKey
from tests.builders.fhir_api import fhir_get, setup_fhir
from tests.builders.graphql import post_graphql

K = CategoryKey
SMART = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
SERVED = {
    "Patient", "AllergyIntolerance", "CarePlan", "CareTeam", "Condition", "Device", "Encounter",
    "Goal", "Immunization", "MedicationRequest", "Observation", "Procedure", "ServiceRequest",
    "Practitioner", "RelatedPerson",
}  # fmt: skip


async def test_capability_statement_lists_what_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/fhir/metadata")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    body = response.json()
    CapabilityStatement.model_validate(body)
    assert body["fhirVersion"] == "4.0.1" and body["format"] == ["json"]
    assert body["implementation"]["url"] == "http://testserver/fhir"
    rest = body["rest"][0]
    assert {r["type"] for r in rest["resource"]} == SERVED
    for resource in rest["resource"]:
        assert [i["code"] for i in resource["interaction"]] == ["read", "search-type"]
        assert resource["supportedProfile"], resource["type"]
    patient = next(r for r in rest["resource"] if r["type"] == "Patient")
    assert [o["name"] for o in patient["operation"]] == ["everything"]
    assert "only the categories the grant covers" in rest["documentation"]
    oauth = next(e for e in rest["security"]["extension"] if e["url"] == SMART)
    uris = {e["url"]: e["valueUri"] for e in oauth["extension"]}
    discovery = (await client.get("/.well-known/smart-configuration")).json()
    assert uris["authorize"] == discovery["authorization_endpoint"]
    assert uris["token"] == discovery["token_endpoint"]
    assert uris["revoke"] == discovery["revocation_endpoint"]
    assert uris["register"] == discovery["registration_endpoint"]
    assert rest["security"]["service"][0]["coding"][0]["code"] == "SMART-on-FHIR"


async def test_smart_configuration_under_the_fhir_base_is_the_root_one(
    client: httpx.AsyncClient,
) -> None:
    root = await client.get("/.well-known/smart-configuration")
    under_fhir = await client.get("/fhir/.well-known/smart-configuration")
    assert under_fhir.status_code == 200
    assert under_fhir.json() == root.json()


def test_fhir_ids_use_the_graphql_type_names() -> None:
    assert {kind.key: kind.type_name for kind in RECORD_KINDS} == TYPE_NAMES
    assert resource_type_of(K.CARE_TEAM) == "Practitioner"
    assert row_resource_id(K.LAB_RESULTS, 12) == "LabResult-12"


async def test_a_fhir_id_and_its_graphql_global_id_name_the_same_record(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    setup = await setup_fhir(session, ["patient/*.rs"], per_category=1)
    for key, type_name in TYPE_NAMES.items():
        row_id = setup.record.ids[key][0]
        fhir_id = row_resource_id(key, row_id)
        resource = (await fhir_get(client, f"{resource_type_of(key)}/{fhir_id}", setup)).json()
        assert resource["id"] == fhir_id
        global_id = base64.b64encode(fhir_id.replace("-", ":", 1).encode()).decode()
        node = await post_graphql(
            client,
            "query($id: ID!) { node(id: $id) { id __typename } }",
            token=setup.access.token,
            variables={"id": global_id},
        )
        assert node.json()["data"]["node"] == {"id": global_id, "__typename": type_name}
    viewer = await post_graphql(client, "{ viewer { patientId } }", token=setup.access.token)
    patient_global = base64.b64decode(viewer.json()["data"]["viewer"]["patientId"]).decode()
    assert patient_global == f"Patient:{setup.patient.id}"
    assert (await fhir_get(client, f"Patient/{setup.patient.id}", setup)).status_code == 200
