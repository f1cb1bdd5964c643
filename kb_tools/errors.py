"""One exception base for the whole tool.

Content problems are values (`kb_tools.model.Problem`, with path, line, column and message),
never exceptions. Exceptions are for the few failures that stop a command: a build that did
not pass, a publish that could not switch, an index that is not built. Every one of them
derives from `KbError`, so the command line catches one type and prints one line.
"""

from __future__ import annotations


class KbError(Exception):
    """Base of every exception the tool raises on purpose."""
