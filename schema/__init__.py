"""The GraphQL schema: types, scope registry, permissions, loaders, limits.

Knows no Starlette or Authlib.
"""
