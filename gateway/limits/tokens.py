"""Counts the lexical tokens of a query document, stopping at a limit, before anything parses it.

Why before parsing: the token limit protects the parser itself, so it must hold for documents the prepared
operation cache has never seen. A token is at least one character, so a query shorter than the limit cannot
exceed it and is never lexed: only long documents pay for the count.
"""

from __future__ import annotations

from graphql import GraphQLError, Source, TokenKind
from graphql.language.lexer import Lexer


def exceeds_token_limit(query: str, max_tokens: int) -> bool:
    """True when ``query`` has more than ``max_tokens`` tokens (lexing errors are left to the parser)."""
    if len(query) <= max_tokens:
        return False
    lexer = Lexer(Source(query))
    count = 0
    try:
        while lexer.advance().kind != TokenKind.EOF:
            count += 1
            if count > max_tokens:
                return True
    except GraphQLError:
        return False
    return False
