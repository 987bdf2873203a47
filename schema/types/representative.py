"""A representative: another account acting for a patient (a parent, a guardian)."""

import strawberry

from db.representatives import Representation
from schema.types.relay import to_global_id


@strawberry.type(description="An account that acts for a patient who is not itself.")
class Representative:
    representative_id: strawberry.ID = strawberry.field(description="The account's global ID.")
    name: str
    relationship: str = strawberry.field(
        description="child (a parent or guardian) or representative."
    )
    patient_id: strawberry.ID
    patient_name: str

    @classmethod
    def from_link(cls, link: Representation) -> "Representative":
        assert link.account.id is not None and link.patient.id is not None
        return cls(
            representative_id=to_global_id("Account", link.account.id),
            name=link.account.display_name,
            relationship=link.relationship,
            patient_id=to_global_id("Patient", link.patient.id),
            patient_name=f"{link.patient.given_name} {link.patient.family_name}",
        )
