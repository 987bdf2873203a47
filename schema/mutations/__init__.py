"""The root Mutation: the account's own session manages consent and (developers) apps."""

import strawberry

from schema.mutations.apps import AppMutations
from schema.mutations.consent import ConsentMutations
from schema.mutations.representatives import RepresentativeMutations


@strawberry.type
class Mutation(ConsentMutations, AppMutations, RepresentativeMutations):
    """Every mutation; only the account's own session may call them (FORBIDDEN for apps)."""
