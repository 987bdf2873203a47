"""The root Mutation: the account's own session manages consent and (developers) apps."""

import strawberry

from schema.mutations.apps import AppMutations
from schema.mutations.consent import ConsentMutations


@strawberry.type
class Mutation(ConsentMutations, AppMutations):
    """Every mutation; only the account's own session may call them (FORBIDDEN for apps)."""
