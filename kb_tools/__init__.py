"""Caseworker Procedures: structured YAML procedures built into a searchable site.

The public API (what the `kb` command line calls, and what tests and scripts may use):

    from kb_tools import Paths, check_all, CheckOptions, build, SearchService
    result = check_all(Paths.for_project(".").content)
    for problem in result.problems:
        print(problem)            # path:line:column: message

The package's folders are the pipeline, in order: `content` (YAML → typed pages),
`editions` (GB and NI text), `checks` (problems), `site` (Markdown, MkDocs, built-site
checks), `search` (index, query, service); `pipeline` runs them and publishes; `dev` holds
the developer tools (synthetic content, benchmarks). A stage never imports a later one.

Names are imported lazily so that `kb check` does not load the search engine or MkDocs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

_EXPORTS = {
    "KbError": "kb_tools.errors",
    "Paths": "kb_tools.config",
    "Problem": "kb_tools.model",
    "Location": "kb_tools.model",
    "Page": "kb_tools.model",
    "Library": "kb_tools.model",
    "SiteConfig": "kb_tools.model",
    "Terminology": "kb_tools.model",
    "Edition": "kb_tools.model",
    "CheckOptions": "kb_tools.checks.registry",
    "check_all": "kb_tools.checks.registry",
    "build": "kb_tools.pipeline.build",
    "BuildResult": "kb_tools.pipeline.build",
    "BuildError": "kb_tools.pipeline.build",
    "SearchService": "kb_tools.search.query",
    "SearchResponse": "kb_tools.search.query",
    "SearchResult": "kb_tools.search.query",
}

__all__ = [
    "__version__",
    "KbError",
    "Paths",
    "Problem",
    "Location",
    "Page",
    "Library",
    "SiteConfig",
    "Terminology",
    "Edition",
    "CheckOptions",
    "check_all",
    "build",
    "BuildResult",
    "BuildError",
    "SearchService",
    "SearchResponse",
    "SearchResult",
]

if TYPE_CHECKING:
    from kb_tools.checks.registry import CheckOptions, check_all
    from kb_tools.config import Paths
    from kb_tools.errors import KbError
    from kb_tools.model import Edition, Library, Location, Page, Problem, SiteConfig, Terminology
    from kb_tools.pipeline.build import BuildError, BuildResult, build
    from kb_tools.search.query import SearchResponse, SearchResult, SearchService


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kb_tools' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
