"""HTML pages from Jinja2 templates (autoescaped), always with the security headers."""

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from api.security import secure_page

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )


def render(
    template: str, context: dict[str, Any], *, status: int = 200, private: bool = True
) -> HTMLResponse:
    """Render a template into a response with CSP, frame and caching headers."""
    html = _environment().get_template(template).render(**context)
    response = HTMLResponse(html, status_code=status)
    secure_page(response, private=private)
    return response


def error_page(title: str, message: str, *, status: int = 400) -> HTMLResponse:
    """A plain error page (never a traceback)."""
    return render("error.html", {"title": title, "message": message}, status=status)
