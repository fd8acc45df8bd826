"""Composition errors and hints, with Apollo's error codes.

Why a dedicated type: a failed composition must tell a subgraph team *what to change*; every error carries the
Apollo code (so docs and tooling match), the subgraphs involved and the schema coordinate at fault, and can be
rendered as a GraphQL-style error through the shared ``make_error`` contract.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.errors import FormattedError, make_error

# Apollo's composition error codes (only the ones this package reports).
INVALID_GRAPHQL = "INVALID_GRAPHQL"
INVALID_LINK_DIRECTIVE_USAGE = "INVALID_LINK_DIRECTIVE_USAGE"
TYPE_KIND_MISMATCH = "TYPE_KIND_MISMATCH"
INVALID_FIELD_SHARING = "INVALID_FIELD_SHARING"
FIELD_TYPE_MISMATCH = "FIELD_TYPE_MISMATCH"
FIELD_ARGUMENT_TYPE_MISMATCH = "FIELD_ARGUMENT_TYPE_MISMATCH"
INPUT_FIELD_DEFAULT_MISMATCH = "INPUT_FIELD_DEFAULT_MISMATCH"
FIELD_ARGUMENT_DEFAULT_MISMATCH = "FIELD_ARGUMENT_DEFAULT_MISMATCH"
EXTERNAL_MISSING_ON_BASE = "EXTERNAL_MISSING_ON_BASE"
EXTERNAL_UNUSED = "EXTERNAL_UNUSED"
EXTERNAL_TYPE_MISMATCH = "EXTERNAL_TYPE_MISMATCH"
KEY_FIELDS_SELECT_INVALID_TYPE = "KEY_FIELDS_SELECT_INVALID_TYPE"
KEY_FIELDS_HAS_ARGS = "KEY_FIELDS_HAS_ARGS"
KEY_INVALID_FIELDS = "KEY_INVALID_FIELDS"
REQUIRES_INVALID_FIELDS = "REQUIRES_INVALID_FIELDS"
REQUIRES_FIELDS_MISSING_EXTERNAL = "REQUIRES_FIELDS_MISSING_EXTERNAL"
PROVIDES_INVALID_FIELDS = "PROVIDES_INVALID_FIELDS"
PROVIDES_FIELDS_MISSING_EXTERNAL = "PROVIDES_FIELDS_MISSING_EXTERNAL"
PROVIDES_ON_NON_OBJECT_FIELD = "PROVIDES_ON_NON_OBJECT_FIELD"
OVERRIDE_FROM_SELF_ERROR = "OVERRIDE_FROM_SELF_ERROR"
OVERRIDE_SOURCE_HAS_OVERRIDE = "OVERRIDE_SOURCE_HAS_OVERRIDE"
OVERRIDE_LABEL_INVALID = "OVERRIDE_LABEL_INVALID"
OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE = "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE"
REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH = "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH"
REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH = "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH"
EMPTY_MERGED_INPUT_TYPE = "EMPTY_MERGED_INPUT_TYPE"
EMPTY_MERGED_ENUM_TYPE = "EMPTY_MERGED_ENUM_TYPE"
ENUM_VALUE_MISMATCH = "ENUM_VALUE_MISMATCH"
INTERFACE_FIELD_NO_IMPLEM = "INTERFACE_FIELD_NO_IMPLEM"
REFERENCED_INACCESSIBLE = "REFERENCED_INACCESSIBLE"
ONLY_INACCESSIBLE_CHILDREN = "ONLY_INACCESSIBLE_CHILDREN"
EXTENSION_WITH_NO_BASE = "EXTENSION_WITH_NO_BASE"
SATISFIABILITY_ERROR = "SATISFIABILITY_ERROR"
INTERFACE_OBJECT_USAGE_ERROR = "INTERFACE_OBJECT_USAGE_ERROR"
INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE = "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE"
NO_QUERIES = "NO_QUERIES"
DIRECTIVE_COMPOSITION_ERROR = "DIRECTIVE_COMPOSITION_ERROR"
SUBGRAPH_FETCH_FAILED = "SUBGRAPH_FETCH_FAILED"

# Hint codes.
INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM = "INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM"
INCONSISTENT_ENUM_VALUE_FOR_OUTPUT_ENUM = "INCONSISTENT_ENUM_VALUE_FOR_OUTPUT_ENUM"
INCONSISTENT_ARGUMENT_PRESENCE = "INCONSISTENT_ARGUMENT_PRESENCE"
INCONSISTENT_INPUT_OBJECT_FIELD = "INCONSISTENT_INPUT_OBJECT_FIELD"
INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE = "INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE"
INCONSISTENT_BUT_COMPATIBLE_ARGUMENT_TYPE = "INCONSISTENT_BUT_COMPATIBLE_ARGUMENT_TYPE"
INCONSISTENT_UNION_MEMBER = "INCONSISTENT_UNION_MEMBER"
INCONSISTENT_DESCRIPTION = "INCONSISTENT_DESCRIPTION"
OVERRIDDEN_FIELD_CAN_BE_REMOVED = "OVERRIDDEN_FIELD_CAN_BE_REMOVED"
OVERRIDE_MIGRATION_IN_PROGRESS = "OVERRIDE_MIGRATION_IN_PROGRESS"
FROM_SUBGRAPH_DOES_NOT_EXIST = "FROM_SUBGRAPH_DOES_NOT_EXIST"
MERGED_NON_REPEATABLE_DIRECTIVE_ARGUMENTS = "MERGED_NON_REPEATABLE_DIRECTIVE_ARGUMENTS"
INCONSISTENT_DEFAULT_VALUE_PRESENCE = "INCONSISTENT_DEFAULT_VALUE_PRESENCE"


@dataclass(frozen=True, slots=True)
class CompositionError:
    """One reason the subgraph set cannot be composed.

    ``subgraphs`` names the teams that must act; ``coordinate`` is the schema element (``Type`` or
    ``Type.field``) to change, so tools can point at it without parsing the message.
    """

    code: str
    message: str
    subgraphs: tuple[str, ...] = ()
    coordinate: str | None = None

    def to_formatted(self) -> FormattedError:
        """Render as a GraphQL error (for JSON output and logs)."""
        ext: dict[str, object] = {"subgraphs": list(self.subgraphs)}
        if self.coordinate:
            ext["coordinate"] = self.coordinate
        return make_error(self.message, self.code, extensions=ext)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True, slots=True)
class CompositionHint:
    """A non-fatal remark (something was dropped or is inconsistent but compatible)."""

    code: str
    message: str
    coordinate: str | None = None

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def subgraph_list(names: list[str] | tuple[str, ...]) -> str:
    """Format subgraph names the way Apollo does: ``subgraph "a"`` / ``subgraphs "a" and "b"``."""
    quoted = [f'"{n}"' for n in names]
    if len(quoted) == 1:
        return f"subgraph {quoted[0]}"
    return "subgraphs " + ", ".join(quoted[:-1]) + " and " + quoted[-1]
