"""HTTP: the Starlette app, OAuth endpoints, pages, settings and the CLI."""
