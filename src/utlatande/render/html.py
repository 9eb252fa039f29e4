"""Answer model + theme → the one semantic HTML document both writers come from."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from babel.dates import format_date
from jinja2 import TemplateError
from markupsafe import Markup

from .. import markdown
from ..case_text import case_line
from ..errors import AnswerError
from ..model import Answer
from ..text import ascii_letters
from ..theme import Theme, fill, merge, template_problem


def date_in_words(value: dt.date) -> str:
    """19 mars 2024."""
    return format_date(value, "d MMMM y", locale="sv_SE")


def _date_filter(style: str):
    def render(value: dt.date | None) -> str:
        if value is None:
            return ""
        return date_in_words(value) if style == "ord" else value.isoformat()
    return render


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def settings_for(answer: Answer, theme: Theme) -> dict[str, Any]:
    """The profile's settings for this answer's mall, with the answer's own headings on top."""
    settings = theme.settings(answer.mall)
    settings["rubriker"] = merge(settings.get("rubriker", {}), answer.rubriker)
    return settings


_MARK_SPAN = re.compile(r'<span data-nyckel="[^"]*">([^<]*)</span>')
_MARK_ATTRIBUTE = re.compile(r' data-nyckel="[^"]*"')


def strip_marks(html: str) -> str:
    """The HTML without the answer-key markers, which only the DOCX writer reads: the PDF,
    the HTML output and the preview stay byte for byte what they were without them."""
    return _MARK_ATTRIBUTE.sub("", _MARK_SPAN.sub(r"\1", html))


def render_html(answer: Answer, theme: Theme, created: dt.datetime | None = None,
                marks: bool = False) -> str:
    """Render the answer through its mall's template; `created` dates its metadata, and
    `marks` keeps the answer-key markers (``data-nyckel``) for the DOCX writer."""
    settings = settings_for(answer, theme)
    values = {"organisation": answer.organisation, "förvaltning": answer.förvaltning,
              "avdelning": answer.avdelning}
    headings = settings["rubriker"]

    def etikett(key: str, **values_: Any) -> str:
        return fill(headings.get(key, key), values_)

    env = theme.environment
    images = dict(answer.bilder)

    def md(text: str | None, level: int = 2, nyckel: str | None = None) -> Markup:
        return markdown.to_html(text, heading_level=level, images=images, key=nyckel)

    def md_inline(text: str | None) -> Markup:
        return markdown.to_inline_html(text, images=images)

    env.filters.update(md=md, md_inline=md_inline,
                       datum=_date_filter(settings.get("datumformat", "iso")), iso=_iso,
                       datum_ord=date_in_words)
    try:
        template = env.get_template(f"mallar/{answer.mall}.html.j2")
        html = template.render(
            a=answer,
            s=settings,
            etikett=etikett,
            adress=address_groups(settings.get("adressblock") or (), values),
            författare=answer.förvaltning or answer.organisation,
            skapad=created.strftime("%Y-%m-%dT%H:%M:%SZ") if created else None,
            mallklass=_css_class(answer.mall),
            ärenderad=case_line(answer.ärende, settings),
            logga=logo_for(answer, theme),
            logga_liten=logo_for(answer, theme, small=True),
        )
    except TemplateError as error:
        raise AnswerError([template_problem(error)]) from None
    return html if marks else strip_marks(html)


def logo_for(answer: Answer, theme: Theme, small: bool = False) -> dict[str, str] | None:
    """The letterhead's (or the running header's) logo: its src, relative to the project
    where it can be, and its alt text."""
    logo = theme.brand.small_logo if small else theme.brand.logo
    if logo is None:
        return None
    root = theme.project.resolve()
    src = logo.path.relative_to(root).as_posix() if logo.path.is_relative_to(root) \
        else logo.path.as_uri()
    alt = logo.alt or theme.brand.name or answer.organisation or theme.profile.get("namn")
    return {"src": src, "alt": alt or "Logotyp"}


def address_groups(lines: list[str], values: dict[str, Any]) -> list[list[str]]:
    """The profile's address lines as columns: an empty line starts a new column."""
    groups: list[list[str]] = [[]]
    for line in lines:
        if str(line).strip():
            groups[-1].append(fill(str(line), values))
        elif groups[-1]:
            groups.append([])
    return [g for g in groups if g]


def _css_class(name: str) -> str:
    return ascii_letters(name).lower()
