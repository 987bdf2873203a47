"""Build `AuthorizedApp` views of grants: the app, what it read, and who allowed it."""

from db.account_queries import get_apps, list_categories_read, list_grant_authors
from db.grants import Grant
from schema.context import GraphQLContext
from schema.types.account import AuthorizedApp, GrantedBy


async def authorized_apps(context: GraphQLContext, grants: list[Grant]) -> list[AuthorizedApp]:
    """One AuthorizedApp per grant, in the given order (three queries whatever the count)."""
    db = context.db
    ids = [g.id for g in grants if g.id is not None]
    apps = {a.id: a for a in await db.run(lambda s: get_apps(s, ids=[g.app_id for g in grants]))}
    read = await db.run(lambda s: list_categories_read(s, grant_ids=ids))
    authors = await db.run(lambda s: list_grant_authors(s, grants=grants))
    views = []
    for grant in grants:
        account_id, name, relationship = authors[grant.id or 0]
        granted_by = GrantedBy(
            account_name=name,
            relationship=relationship,
            you=account_id == context.caller.account_id,
        )
        views.append(
            AuthorizedApp.from_row(
                grant, apps[grant.app_id], read.get(grant.id or 0, set()), granted_by
            )
        )
    return views
