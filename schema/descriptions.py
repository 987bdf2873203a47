"""Descriptions the type definitions do not carry themselves, filled in when the schema is built.

Fields with the same name mean the same thing on every type (`recordedAt`, `cursor`,
`userErrors`), so one sentence per name serves them all; `Type.field` entries are for
the rest. Enum values that mirror a registry (data categories, access durations) take
their text from it. A description written in a type definition always wins; the
schema lint test (tests/schema/test_schema_descriptions.py) fails on anything left bare.
"""

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
)

from db.activity import EventKind
from db.apps import AppStatus
from sharing.consent import DURATION_LABEL
from sharing.scopes import CATEGORIES

ISO_DATE = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6"
SCALARS = {
    "Date": (
        "A calendar day as an ISO 8601 / RFC 3339 `full-date`, e.g. `2024-03-05`. "
        "No time and no time zone.",
        ISO_DATE,
    ),
    "DateTime": (
        "An instant as an ISO 8601 / RFC 3339 `date-time` with its offset, e.g. "
        "`2024-03-05T14:30:00+00:00`. chartshare always answers in UTC; an input "
        "without an offset is read as UTC.",
        ISO_DATE,
    ),
}

TYPES = {
    "Query": "Reads: the patient's record (apps and accounts), and the account's own views.",
    "Mutation": "Changes, for the account's own session only (an app token gets FORBIDDEN).",
    "AuthorizedAppPayload": "The outcome of authorizeApp, revokeApp or updateAppGrant.",
    "AuthorizeAppInput": "An app, the scopes it asked for and what the patient allows.",
    "RevokeAppInput": "Which authorized app to end.",
    "UpdateAppGrantInput": "An authorized app and the categories it may keep.",
    "SelectPatientPayload": "The outcome of selectPatient.",
    "SelectPatientInput": "Whose record the session should act for.",
    "RegisterAppPayload": "The outcome of registerApp; the secret is shown only here.",
    "RegisterAppInput": "A new app's registration (the same rules as RFC 7591).",
    "RotateClientSecretPayload": "The outcome of rotateClientSecret; the new secret is shown once.",
    "RotateClientSecretInput": "Which confidential app gets a new secret.",
    "EndRepresentationPayload": "The outcome of endRepresentation.",
    "EndRepresentationInput": "Which representative stops acting for the patient.",
}

# Field name -> meaning, on whichever type has it.
BY_NAME = {
    "edges": "The items of this page, each with its cursor.",
    "pageInfo": "Where this page sits in the whole list; cursors for the next and previous page.",
    "cursor": "An opaque cursor pointing at this item (for `after` or `before`).",
    "node": "The item.",
    "code": "The code in its standard code system.",
    "display": "The code system's human-readable text for the code, when known.",
    "onsetDate": "When it began, as far as known.",
    "abatementDate": "When it resolved, if it has.",
    "recordedAt": "When it was recorded in the chart.",
    "authoredAt": "When it was written or ordered.",
    "referenceRange": "The normal range the value is compared with.",
    "lotNumber": "The manufacturer's lot number.",
    "clientId": "The OAuth client_id.",
    "name": "The name shown to people.",
    "description": "What it is, in its developer's words.",
    "homepageUrl": "The app's web site.",
    "logoUrl": "The app's logo (https).",
    "privacyPolicyUrl": "The app's privacy policy.",
    "termsUrl": "The app's terms of service.",
    "redirectUris": "The exact redirect URIs the app may use.",
    "createdAt": "When it was created.",
    "secretRotatedAt": "When the client secret was last replaced.",
    "grantedScopes": "The SMART scopes granted, in canonical form.",
    "grantedCategories": "The data categories granted.",
    "userErrors": "Expected reasons the request was not carried out; empty on success.",
    "grantId": "The global ID of the authorized app (AuthorizedApp.id).",
    "patientId": "The global ID of the patient.",
    "app": "The app.",
    "categories": "The data categories.",
    "label": "The category's name as the patient reads it.",
    "key": "The category.",
    "category": "The category.",
    "count": "How many records.",
}

BY_FIELD = {
    "Coding.code": "The code in `system`.",
    "Encounter.startAt": "When the visit began.",
    "Encounter.endAt": "When the visit ended (empty while it goes on).",
    "Encounter.location": "Where the visit took place.",
    "CareTeamMember.name": "The clinician's name.",
    "CareTeamMember.organization": "The organization the clinician works for.",
    "CareTeamMember.phone": "How to reach the clinician.",
    "Quantity.value": "The amount.",
    "ReferenceRange.low": "The lower bound, if any.",
    "ReferenceRange.high": "The upper bound, if any.",
    "Procedure.performedAt": "When the procedure was performed.",
    "Procedure.bodySite": "Where on the body.",
    "HumanName.given": "Given (first) name.",
    "HumanName.middle": "Middle name, if any.",
    "HumanName.family": "Family (last) name.",
    "HumanName.suffix": "Suffix such as Jr., if any.",
    "PageInfo.hasNextPage": "Whether more items follow this page (older items).",
    "PageInfo.hasPreviousPage": "Whether items come before this page (newer items).",
    "PageInfo.startCursor": "The cursor of the first item of the page (for `before`).",
    "PageInfo.endCursor": "The cursor of the last item of the page (for `after`).",
    "AllergyIntolerance.verificationStatus": "confirmed, unconfirmed, refuted, ...",
    "AllergyIntolerance.reaction": "The reaction it causes, if recorded.",
    "CarePlan.code": "What kind of plan it is.",
    "CarePlan.assessment": "The clinician's assessment.",
    "CarePlan.plan": "The plan of treatment.",
    "Goal.description": "The goal, in words.",
    "Goal.achievementStatus": "How far along it is (in-progress, achieved, ...).",
    "Goal.startDate": "When work on the goal began.",
    "Goal.targetDate": "When it should be reached.",
    "Goal.expressedBy": "Who set the goal.",
    "Immunization.occurredAt": "When the vaccine was given.",
    "Immunization.site": "Where on the body it was given.",
    "Immunization.performer": "Who gave it.",
    "Immunization.primarySource": "Whether recorded by whoever gave it (not reported later).",
    "ImplantableDevice.manufacturer": "Who made the device.",
    "ImplantableDevice.modelNumber": "The manufacturer's model number.",
    "ImplantableDevice.serialNumber": "The device's serial number.",
    "ImplantableDevice.manufacturedOn": "When the device was made.",
    "ImplantableDevice.expiresOn": "When the device expires.",
    "ImplantableDevice.implantedOn": "When the device was implanted.",
    "Medication.intent": "order, plan, proposal, ...",
    "Medication.dosageText": "How to take it, as written on the prescription.",
    "Medication.route": "How it is taken (oral, ...).",
    "Medication.refills": "Refills allowed.",
    "Referral.reasonText": "Why the patient was referred.",
    "Referral.referredTo": "To whom the patient was referred.",
    "Viewer.kind": "Whether an account session or an app token is calling.",
    "Viewer.appName": "The app's name (apps only).",
    "Viewer.clientId": "The app's client_id (apps only).",
    "Viewer.grantedScopes": "What the caller may read, as SMART scopes.",
    "Viewer.grantedCategories": "What the caller may read, as data categories.",
    "CategoryInfo.key": "The category.",
    "AuthorizedApp.app": "The app.",
    "AuthorizedApp.grantedAt": "When the patient first authorized the app.",
    "AuthorizedApp.lastUsedAt": "When the app last made a request.",
    "AuthorizedApp.expiresAt": "When access ends (empty: until revoked).",
    "AuthorizedApp.revokedAt": "When access was revoked, if it was.",
    "ActivityEvent.occurredAt": "When it happened.",
    "ActivityEvent.kind": "What happened.",
    "ActivityEvent.outcome": "How it ended.",
    "ActivityEvent.app": "The app concerned, if any.",
    "ActivityEvent.patientId": "The global ID of the patient concerned, if any.",
    "ActivityEvent.sourceAddress": "The network address the request came from.",
    "ActivityEvent.categories": "How many records of each category were read or exported.",
    "PatientChoice.id": "The patient's global ID (for selectPatient).",
    "PatientChoice.name": "The patient's name.",
    "AuthorizedAppPayload.authorizedApp": "The authorized app as it now stands.",
    "UserError.code": "A stable code to branch on (e.g. NOT_FOUND, NOTHING_GRANTED).",
    "UserError.field": "The input field the error is about, if one.",
    "UserError.message": "What went wrong, for people.",
    "AuthorizeAppInput.clientId": "The app's client_id.",
    "AuthorizeAppInput.scopes": "The scopes the app asked for.",
    "AuthorizeAppInput.allowOfflineAccess": "Whether the app may keep access while unused.",
    "AuthorizeAppInput.duration": "How long access lasts.",
    "UpdateAppGrantInput.categories": "The categories to keep (a subset of the current ones).",
    "SelectPatientPayload.patient": "The patient now acted for.",
    "SelectPatientInput.patientId": "The global ID of a patient the account may act for.",
    "RegisterAppPayload.app": "The registered app.",
    "RegisterAppInput.confidential": "Whether the app keeps a client secret (a server app).",
    "RotateClientSecretPayload.app": "The app with its new secret.",
    "RotateClientSecretInput.appId": "The app's global ID.",
    "GrantedBy.accountName": "The display name of the account that consented.",
    "Representative.patientName": "The name of the patient represented.",
}

ARGUMENTS = {
    "Query.node.id": "A global ID from any `id` field.",
    "Query.authorizedApps.includeEnded": "Also list apps whose access was revoked or expired.",
    "Query.recordBundle.categories": "Only these categories; every category when omitted.",
    "*.input": "The mutation's input.",
}

ACTIVITY_KINDS = {
    EventKind.DATA_READ: "An app read data.",
    EventKind.ACCESS_DENIED: "A read outside the caller's patient or grant was refused.",
    EventKind.LOGIN: "The account signed in.",
    EventKind.LOGIN_FAILED: "A sign-in failed.",
    EventKind.LOGOUT: "The account signed out.",
    EventKind.PATIENT_SELECTED: "The account switched whose record it acts for.",
    EventKind.CONSENT: "The patient authorized an app, or updated an earlier consent.",
    EventKind.DENIAL: "The patient refused an app.",
    EventKind.TOKEN_ISSUED: "An app received tokens.",
    EventKind.TOKEN_REFRESHED: "An app renewed its tokens.",
    EventKind.TOKEN_REUSE: "A used code or refresh token was presented again.",
    EventKind.REVOCATION: "Access ended (revoked by the patient, the app or its developer).",
    EventKind.GRANT_NARROWED: "The patient narrowed what an app may read.",
    EventKind.REGISTRATION: "An app was registered.",
    EventKind.REGISTRATION_UPDATED: "An app's registration was changed.",
    EventKind.REGISTRATION_DELETED: "An app's registration was deleted.",
    EventKind.RECORD_EXPORTED: "The account downloaded the record.",
    EventKind.APP_STATUS_CHANGED: "The operator approved or suspended an app.",
    EventKind.SECRET_ROTATED: "A confidential app's secret was replaced.",
    EventKind.ENDED_ACCESS_USED: "An app used a token whose access had already ended.",
    EventKind.REPRESENTATIVE_REMOVED: "A representative no longer acts for the patient.",
}

ENUM_VALUES: dict[str, dict[str, str]] = {
    "DataCategory": {c.key.name: f"{c.label}: {c.explanation}" for c in CATEGORIES},
    "AccessDuration": {d.name: label for d, label in DURATION_LABEL.items()},
    "ActivityKind": {k.name: text for k, text in ACTIVITY_KINDS.items()},
    "AppStatus": {
        AppStatus.PENDING.name: "Waiting for the operator's review; cannot authorize yet.",
        AppStatus.APPROVED.name: "Patients may authorize it.",
        AppStatus.SUSPENDED.name: "Stopped by the operator; its tokens no longer work.",
    },
    "ActivityOutcome": {
        "SUCCESS": "It went through.",
        "PARTIAL": "Executed, but some fields were outside the grant or failed.",
        "REJECTED": "Refused before anything was read (validation or a limit).",
        "DENIED": "Refused: outside the caller's patient or grant.",
        "REFUSED": "Refused (a bad password, a reused token, ...).",
        "ERROR": "Failed unexpectedly.",
        "OTHER": "An outcome this version of the schema does not name.",
    },
    "ViewerKind": {
        "ACCOUNT": "A patient's (or representative's) session on the account page.",
        "APP": "A partner app with an access token.",
    },
}


def _field_text(type_name: str, field_name: str) -> str | None:
    return BY_FIELD.get(f"{type_name}.{field_name}") or BY_NAME.get(field_name)


def describe_schema(graph: GraphQLSchema) -> None:
    """Fill in the descriptions that the definitions leave empty (never overwrite one)."""
    for named in graph.type_map.values():
        if named.name.startswith("__"):
            continue
        if isinstance(named, GraphQLScalarType) and named.name in SCALARS:
            named.description, named.specified_by_url = SCALARS[named.name]
        if not named.description and named.name in TYPES:
            named.description = TYPES[named.name]
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in named.fields.items():
                if not field.description:
                    field.description = _field_text(named.name, field_name)
                for arg_name, argument in getattr(field, "args", {}).items():
                    if not argument.description:
                        argument.description = ARGUMENTS.get(
                            f"{named.name}.{field_name}.{arg_name}"
                        ) or ARGUMENTS.get(f"*.{arg_name}")
        if isinstance(named, GraphQLEnumType):
            texts = ENUM_VALUES.get(named.name, {})
            for value_name, value in named.values.items():
                if not value.description:
                    value.description = texts.get(value_name)
