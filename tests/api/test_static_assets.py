"""The committed account-page bundle is complete, self-contained and served from /static."""

import re
from pathlib import Path

import httpx
import pytest

from api.pages.account import BUNDLE_DIR

ENTRY_FILES = [
    "account.js",
    "account.css",
    "explorer.js",
    "explorer.css",
    "workers/editor.worker.js",
    "workers/json.worker.js",
    "workers/graphql.worker.js",
]
CDN_HOSTS = [
    "cdn.jsdelivr.net",
    "unpkg.com",
    "esm.sh",
    "cdnjs.cloudflare.com",
    "fonts.googleapis.com",
    "fonts.gstatic.com",
    "cdn.skypack.dev",
    "ga.jspm.io",
]
# What would make a browser fetch code, styles or fonts from elsewhere.
EXTERNAL_LOADS = [
    re.compile(r"""\bimport\s*\(\s*["'`](?:https?:)?//"""),
    re.compile(r"""\bfrom\s*["'](?:https?:)?//"""),
    re.compile(r"""\bimportScripts\s*\(\s*["'`](?:https?:)?//"""),
    re.compile(r"""\bnew\s+(?:Shared)?Worker\s*\(\s*["'`](?:https?:)?//"""),
    re.compile(r"""@import\s+(?:url\()?\s*["']?(?:https?:)?//"""),
    re.compile(r"""url\(\s*["']?(?:https?:)?//"""),
]
# esbuild writes its chunk imports as "./chunks/chunk-HASH.js" (prose inside babel is no import).
RELATIVE_IMPORT = re.compile(r"""(?:\bfrom|\bimport)\s*\(?\s*["'](\.\.?/[^"'\s]+\.js)["']""")
CSS_URL = re.compile(r"""url\(\s*["']?(?!data:)([^"')]+)["']?\s*\)""")


def _bundle_files(suffix: str) -> list[Path]:
    return sorted(p for p in BUNDLE_DIR.rglob(f"*{suffix}") if p.is_file())


@pytest.mark.parametrize("name", ENTRY_FILES)
def test_the_built_bundle_is_committed(name: str) -> None:
    path = BUNDLE_DIR / name
    assert path.is_file(), f"{name} is missing: cd frontend && npm ci && npm run build"
    assert path.stat().st_size > 0


def test_scripts_and_styles_load_nothing_from_another_site() -> None:
    offenders: list[str] = []
    for path in _bundle_files(".js") + _bundle_files(".css"):
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.name}: {host}" for host in CDN_HOSTS if host in text]
        offenders += [f"{path.name}: {p.pattern}" for p in EXTERNAL_LOADS if p.search(text)]
    assert offenders == []


def test_the_guard_notices_an_external_load() -> None:
    samples = [
        'import("https://esm.sh/react")',
        "@import url(https://fonts.googleapis.com/css2)",
        'new Worker("//cdn.example/worker.js")',
    ]
    assert all(any(p.search(sample) for p in EXTERNAL_LOADS) for sample in samples)


def test_every_relative_import_and_css_url_points_at_a_shipped_file() -> None:
    missing: list[str] = []
    for path in _bundle_files(".js"):
        for target in RELATIVE_IMPORT.findall(path.read_text(encoding="utf-8")):
            if not (path.parent / target).is_file():
                missing.append(f"{path.name} -> {target}")
    for path in _bundle_files(".css"):
        for target in CSS_URL.findall(path.read_text(encoding="utf-8")):
            if not (path.parent / target.split("?")[0].split("#")[0]).is_file():
                missing.append(f"{path.name} -> {target}")
    assert missing == []


def test_the_bundle_is_minified_and_has_no_source_maps() -> None:
    assert _bundle_files(".map") == []
    for name in ("account.js", "explorer.js"):
        text = (BUNDLE_DIR / name).read_text(encoding="utf-8")
        # Only GraphQL template strings keep their line breaks; code is on long lines.
        assert not re.search(
            r"^[ \t]{2,}(?:const|let|var|function|return|if)\b", text, re.MULTILINE
        )


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/static/account/account.js", "text/javascript"),
        ("/static/account/explorer.css", "text/css"),
        ("/static/account/workers/graphql.worker.js", "text/javascript"),
    ],
)
async def test_static_files_are_served_compressed(
    client: httpx.AsyncClient, path: str, media_type: str
) -> None:
    response = await client.get(path, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == (BUNDLE_DIR / path.removeprefix("/static/account/")).read_bytes()


async def test_no_file_outside_the_static_folder_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/static/../settings.py")
    assert response.status_code == 404


@pytest.mark.parametrize("page", ["/login", "/apps"])
async def test_pages_link_an_icon_that_is_served(client: httpx.AsyncClient, page: str) -> None:
    html = (await client.get(page)).text
    linked = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert linked is not None, f"{page} links no icon"
    icon = await client.get(linked.group(1))
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg")
