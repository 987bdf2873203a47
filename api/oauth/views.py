"""The OAuth endpoints: /oauth/authorize, /oauth/token, /oauth/revoke, /oauth/introspect."""

import asyncio

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import MultiDict
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.context import database, hasher_of, settings_of
from api.oauth.adapter import OAuthResult, oauth_request
from api.oauth.authorization import MALFORMED, answer, validate_authorization
from api.oauth.bridge import OAuthContext, in_thread
from api.oauth.params import form_params, token_endpoint_params
from api.oauth.server import ChartshareServer
from api.pages.authorization_flow import CONSENT_PATH, flow_path
from api.pages.browser import browser_session, login_redirect, see_other
from api.security import source_address
from db.apps import find_app_by_client_id
from db.authorization_requests import open_authorization_request


def build_server(request: Request, session: AsyncSession) -> ChartshareServer:
    """An Authlib server bound to this request's unit of work."""
    settings = settings_of(request)
    return ChartshareServer(
        OAuthContext(
            session=session,
            settings=settings,
            hasher=hasher_of(request),
            source_address=source_address(request, settings),
        )
    )


async def authorize(request: Request) -> Response:
    """GET or POST: validate the request, store it under a new id, go on to login and consent."""
    settings = settings_of(request)
    if request.method == "POST":
        parsed = await form_params(request, settings.max_body_bytes)
        if isinstance(parsed, JSONResponse):
            return parsed
        params: MultiDict = parsed
    else:
        params = MultiDict(request.query_params.multi_items())
    async with database(request) as session:
        server = build_server(request, session)
        problem = await in_thread(validate_authorization, server, oauth_request(request, params))
        if problem is not None:
            return answer(problem, issuer=settings.base_url, after_post=request.method == "POST")
        app = await find_app_by_client_id(session, client_id=params.get("client_id", ""))
        if app is None or app.id is None:  # Authlib found the client: not expected
            return answer(MALFORMED, issuer=settings.base_url, after_post=False)
        browser = await browser_session(request, session, settings)
        assert browser.row.id is not None
        raw_id, _ = await open_authorization_request(
            session,
            web_session_id=browser.row.id,
            app_id=app.id,
            params={key: params[key] for key in params},
            ttl_seconds=settings.authorization_request_ttl,
        )
        target = flow_path(CONSENT_PATH, raw_id)
        if browser.row.account_id is None:
            response: Response = login_redirect(target)
        else:
            response = see_other(target)
        return browser.attach(response, settings)


async def _run_endpoint(request: Request, name: str | None) -> Response:
    settings = settings_of(request)
    parsed = await token_endpoint_params(request, settings.max_body_bytes)
    if isinstance(parsed, JSONResponse):
        return parsed
    async with database(request) as session:
        server = build_server(request, session)
        oauth = oauth_request(request, parsed)
        try:
            if name is None:
                result: OAuthResult = await in_thread(server.create_token_response, oauth)
            else:
                result = await in_thread(server.create_endpoint_response, name, oauth)
        except ValueError:  # an error description Authlib refused to quote: malformed input
            result = MALFORMED
    if server.context.slow_down:
        # Outside the unit of work: a slowed client authentication holds no connection.
        await asyncio.sleep(settings.login_slowdown_seconds)
    return result.to_response()


async def token(request: Request) -> Response:
    """The authorization_code and refresh_token grants (nothing else)."""
    return await _run_endpoint(request, None)


async def revoke(request: Request) -> Response:
    """RFC 7009 token revocation."""
    return await _run_endpoint(request, "revocation")


async def introspect(request: Request) -> Response:
    """RFC 7662 token introspection."""
    return await _run_endpoint(request, "introspection")
