"""The patient ends a representative link from their own session (a child turns 18)."""

import strawberry

from db.accounts import Relationship, list_account_patients
from db.representatives import list_representations
from schema.mutations.payloads import Ctx, user_error
from schema.permissions import account_only
from schema.types.account import UserError
from schema.types.relay import global_id_or_none
from schema.types.representative import Representative
from sharing.representatives import RepresentationProblem, end_representative


@strawberry.input
class EndRepresentationInput:
    representative_id: strawberry.ID = strawberry.field(description="The representative account.")
    patient_id: strawberry.ID | None = strawberry.field(
        default=None, description="Whose record; defaults to the caller's own."
    )


@strawberry.type
class EndRepresentationPayload:
    representative: Representative | None = strawberry.field(description="The link that ended.")
    revoked_grants: int = strawberry.field(
        description="How many app grants the representative made were revoked with it."
    )
    user_errors: list[UserError]


async def own_patient_ids(info: Ctx) -> list[int]:
    """The patients whose record is the caller's own (relationship self)."""
    caller = account_only(info)
    rows = await info.context.db.run(
        lambda s: list_account_patients(s, account_id=caller.account_id)
    )
    return [p.id for p, rel in rows if rel == Relationship.SELF and p.id is not None]


@strawberry.type
class RepresentativeMutations:
    @strawberry.mutation(
        description="Remove a representative from your own record; every app grant they made "
        "for it is revoked at once."
    )
    async def end_representation(
        self, info: Ctx, input: EndRepresentationInput
    ) -> EndRepresentationPayload | None:
        caller = account_only(info)
        own = await own_patient_ids(info)
        patient_id = global_id_or_none(input.patient_id, "Patient") if input.patient_id else None
        if input.patient_id is None and own:
            patient_id = own[0]
        account_id = global_id_or_none(input.representative_id, "Account")

        def refused(code: str, field: str, message: str) -> EndRepresentationPayload:
            errors = user_error(code, field, message)
            return EndRepresentationPayload(
                representative=None, revoked_grants=0, user_errors=errors
            )

        if patient_id is None:
            return refused(
                "FORBIDDEN", "patientId", "Only the patient can remove a representative."
            )
        if account_id is None:
            return refused("NOT_FOUND", "representativeId", "No such representative.")
        links = await info.context.db.run(
            lambda s: list_representations(s, patient_ids=[patient_id])
        )
        link = next((r for r in links if r.account.id == account_id), None)
        try:
            revoked = await info.context.db.run(
                lambda s: end_representative(
                    s,
                    ended_by="patient",
                    by_account_id=caller.account_id,
                    representative_account_id=account_id,
                    patient_id=patient_id,
                    source_address=info.context.source_address,
                )
            )
        except RepresentationProblem as problem:
            return refused(problem.code, problem.field or "", problem.message)
        assert link is not None
        return EndRepresentationPayload(
            representative=Representative.from_link(link),
            revoked_grants=len(revoked),
            user_errors=[],
        )
