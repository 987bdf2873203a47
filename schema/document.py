"""A GraphQL document from text: screened by the lexer, parsed once, its operation picked.

Every refusal here is a client error, found before anything runs: an empty document,
a syntax error, too many tokens, brackets nested deeper than the parser can follow,
an integer literal too long to be a number we accept, or an operation that is not in
the document.
"""

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    OperationType,
    Source,
    TokenKind,
    parse,
)
from graphql.language import Lexer

from schema.errors import GRAPHQL_VALIDATION_FAILED, QUERY_TOO_COMPLEX, strip_suggestions

# Brackets ({ [ () nested deeper than this are refused: no valid query of ours needs
# more, and the parser recurses once per level.
MAX_NESTING = 64
# Our largest integers are database ids (19 digits); a longer literal is not a number we use.
MAX_INT_DIGITS = 20
PARSED_CACHE_SIZE = 256

_OPENING = frozenset({TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L})
_CLOSING = frozenset({TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R})


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused before it runs: one error with its code."""

    message: str
    code: str
    locations: tuple[tuple[int, int], ...] = field(default=())

    def error(self) -> dict[str, Any]:
        """The refusal as a GraphQL error."""
        error: dict[str, Any] = {"message": self.message, "extensions": {"code": self.code}}
        if self.locations:
            error["locations"] = [{"line": line, "column": col} for line, col in self.locations]
        return error


@dataclass(frozen=True)
class Operation:
    """A document that parsed, and whether the operation to run is a mutation."""

    query: str
    name: str | None
    is_mutation: bool


def _syntax_refusal(error: GraphQLSyntaxError) -> Refusal:
    locations = tuple((loc.line, loc.column) for loc in error.locations or ())
    return Refusal(strip_suggestions(error.message), GRAPHQL_VALIDATION_FAILED, locations)


def screen_document(query: str, *, max_tokens: int) -> Refusal | None:
    """Lex the whole document once, refusing what the parser should never see."""
    if not query.strip():
        return Refusal("The query is empty.", GRAPHQL_VALIDATION_FAILED)
    lexer = Lexer(Source(query))
    count = nesting = 0
    try:
        token = lexer.advance()
        while token.kind != TokenKind.EOF:
            count += 1
            if count > max_tokens:
                return Refusal(f"The query has more than {max_tokens} tokens.", QUERY_TOO_COMPLEX)
            if token.kind in _OPENING:
                nesting += 1
                if nesting > MAX_NESTING:
                    return Refusal(
                        f"The query nests brackets deeper than {MAX_NESTING} levels.",
                        QUERY_TOO_COMPLEX,
                        ((token.line, token.column),),
                    )
            elif token.kind in _CLOSING:
                nesting = max(0, nesting - 1)
            elif token.kind == TokenKind.INT and len(token.value or "") > MAX_INT_DIGITS + 1:
                return Refusal(
                    f"An integer in the query has more than {MAX_INT_DIGITS} digits.",
                    GRAPHQL_VALIDATION_FAILED,
                    ((token.line, token.column),),
                )
            token = lexer.advance()
    except GraphQLSyntaxError as error:
        return _syntax_refusal(error)
    return None


@lru_cache(maxsize=PARSED_CACHE_SIZE)
def parse_document(query: str) -> DocumentNode:
    """The parsed document of a query text (cached: documents are never changed)."""
    return parse(query)


def _pick(document: DocumentNode, name: str | None) -> OperationDefinitionNode | Refusal:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        for operation in operations:
            if operation.name is not None and operation.name.value == name:
                return operation
        return Refusal(f"The document has no operation named '{name}'.", GRAPHQL_VALIDATION_FAILED)
    if not operations:
        return Refusal("The document has no operation to run.", GRAPHQL_VALIDATION_FAILED)
    if len(operations) > 1:
        return Refusal(
            "The document has several operations: name the one to run in `operationName`.",
            GRAPHQL_VALIDATION_FAILED,
        )
    return operations[0]


# Documents longer than this are prepared afresh each time rather than kept in the cache.
PREPARED_MAX_LENGTH = 16_384


def prepare_operation(query: str, name: str | None, *, max_tokens: int) -> Operation | Refusal:
    """Screen and parse a document and pick its operation, or say why not.

    A pure function of its arguments (documents only, never data): the answers for
    recent documents are kept.
    """
    if len(query) > PREPARED_MAX_LENGTH:
        return _prepare(query, name, max_tokens)
    return _prepare_cached(query, name, max_tokens)


def _prepare(query: str, name: str | None, max_tokens: int) -> Operation | Refusal:
    refusal = screen_document(query, max_tokens=max_tokens)
    if refusal is not None:
        return refusal
    try:
        document = parse_document(query)
    except GraphQLSyntaxError as error:
        return _syntax_refusal(error)
    picked = _pick(document, name)
    if isinstance(picked, Refusal):
        return picked
    if picked.operation == OperationType.SUBSCRIPTION:
        return Refusal("Subscriptions are not supported.", GRAPHQL_VALIDATION_FAILED)
    return Operation(query, name, picked.operation == OperationType.MUTATION)


_prepare_cached = lru_cache(maxsize=PARSED_CACHE_SIZE)(_prepare)
