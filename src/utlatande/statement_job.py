"""A statement laid out for the agenda in a worker process: the call, and the checked
answer as it is sent (agenda/parts.py sends them). Outside the agenda package, so that
a worker that receives a call imports what laying out needs, not the packet's modules
(the merge, pikepdf, Jinja): the spare worker receives its call on the critical path of
an agenda with one changed statement."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import pipeline
from .brand import Brand
from .errors import AnswerError, Problem, internal_error
from .pipeline import Checked
from .pool import interrupt_if_interrupted
from .theme import Theme, adopt_theme


def _render_one(path: Path, project: Path, embed: bool, sent: Sent | None = None,
                prepared: pipeline.Prepared | None = None) -> bytes | list[Problem]:
    """One statement's PDF, in a worker process: problems come back as data, not raised.
    From the answer as the build checked it (`sent`), else checked here; from its HTML
    as the build prepared it, if it did."""
    return _pdf_or_problems(lambda: pipeline.statement_pdf(
        sent.received() if sent is not None else pipeline.check(path, project),
        project, embed, prepared), path)


@dataclass
class Sent:
    """A checked answer as it is sent to a worker: its theme as loaded (its merged profile,
    not its Jinja environment), with the theme's brand if the build has read it, so that
    the worker reads neither the profile nor `_brand.yml` again (nor loads brand-yml)."""

    checked: Checked
    theme: Theme
    brand: Brand | None

    @classmethod
    def of(cls, checked: Checked) -> Sent:
        theme = checked.theme
        assert theme is not None and checked.loaded is not None
        # The composed YAML nodes only serve the check's own warnings.
        bare = dataclasses.replace(checked, theme=None, loaded=dataclasses.replace(
            checked.loaded, text_nodes=[]))
        return cls(bare, Theme(theme.name, theme.folders, theme.profile, theme.project),
                   theme.known_brand())

    def received(self) -> Checked:
        """The checked answer, with the theme this process holds under its name (one
        Jinja environment for all the statements a worker lays out)."""
        theme = adopt_theme(self.theme)
        if self.brand is not None:
            theme.give_brand(self.brand)
        return dataclasses.replace(self.checked, theme=theme)


def _pdf_or_problems(make: Callable[[], bytes], path: Path) -> bytes | list[Problem]:
    try:
        return make()
    except AnswerError as error:
        return error.problems
    except Exception as exc:  # a bug in utlatande: this statement's problem, no traceback
        interrupt_if_interrupted(exc)
        return [internal_error(path, exc)]
