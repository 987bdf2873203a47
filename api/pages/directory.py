"""GET /apps: the public directory of approved partner apps."""

from starlette.requests import Request
from starlette.responses import Response

from api.context import database
from api.pages.consent import NOT_PROVIDED
from api.pages.rendering import render
from sharing.apps import list_directory_apps


async def directory_page(request: Request) -> Response:
    """Every approved app with its description and links, for patients to see who connects."""
    async with database(request) as session:
        apps = await list_directory_apps(session)
    return render("directory.html", {"apps": apps, "not_provided": NOT_PROVIDED}, private=False)
