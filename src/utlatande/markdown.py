"""Answer text (Markdown) → an HTML fragment in the small vocabulary both writers know."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape
from mdit_py_plugins.footnote import footnote_plugin

# Links a reader of the PDF can follow: the web, e-mail, a telephone number, or a place in
# the document itself. Anything else (a file path, a bare '#') would become a link to a file
# on the reader's disk, which an archived or published PDF must not have.
_FOLLOWABLE = re.compile(r"(https?:|mailto:|tel:|#.)", re.IGNORECASE)

# Headings typed inside answer text sit below the template's own headings.
MAX_HEADING_LEVEL = 4


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # html=False: raw HTML typed by a handläggare is text, printed as typed.
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # Indentation pasted from a word processor is not meant as program code: indented
    # lines stay a paragraph. A fenced block (```) is still kept as typed.
    md.disable("code")
    md.use(footnote_plugin)
    return md


def parser() -> MarkdownIt:
    """The one Markdown parser answer text is read with (images.py finds images with it)."""
    return _parser()


def _footnote_bodies(tokens: list[Token]) -> tuple[list[Token], dict[int, list[Token]]]:
    """Split the footnote block off; return the body and each footnote's inline tokens."""
    body: list[Token] = []
    notes: dict[int, list[Token]] = {}
    current: int | None = None
    in_block = False
    for token in tokens:
        if token.type == "footnote_block_open":
            in_block = True
        elif token.type == "footnote_block_close":
            in_block = False
        elif token.type == "footnote_open":
            current = token.meta["id"]
            notes[current] = []
        elif token.type == "footnote_close":
            current = None
        elif in_block:
            if current is not None and token.type == "inline":
                notes[current].append(token)
        else:
            body.append(token)
    return body, notes


def _shift_headings(tokens: list[Token], level: int) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            depth = min(int(token.tag[1]) + level, MAX_HEADING_LEVEL)
            token.tag = f"h{max(depth, 2)}"


def to_html(text: str | None, heading_level: int = 2,
            images: Mapping[str, Path] | None = None, key: str | None = None) -> Markup:
    """Render one md field. Footnotes become inline ``<span class="fotnot">`` at their call.

    `images` are the checked image files by address as written (images.py); any other
    image prints as its description. With `key`, each top-level block says which answer
    key it came from (``data-nyckel``), so that the DOCX can mark it for `utlatande import`.
    """
    if not text:
        return Markup("")
    md = _parser()
    env: dict = {}
    tokens = md.parse(text, env)
    body, notes = _footnote_bodies(tokens)
    _shift_headings(body, heading_level)
    # Drop the back-reference arrows the plugin adds inside footnote paragraphs.
    for inlines in notes.values():
        for inline in inlines:
            inline.children = [c for c in inline.children or [] if c.type != "footnote_anchor"]
            # A footnote is a line of small text: an image in it prints as its description.
            _images(inline.children, {})
    rendered_notes = {
        note_id: " ".join(md.renderer.renderInline(inline.children or [], md.options, env)
                          for inline in inlines).strip()
        for note_id, inlines in notes.items()
    }
    for token in body:
        if token.type == "inline" and token.children:
            _inline_footnotes(token.children, rendered_notes)
            _unlink_local(token.children)
            _images(token.children, images or {})
            token.children = _marked_urls(token.children)
        elif token.type == "th_open":
            token.attrSet("scope", "col")  # a Markdown table's header cells head columns
        if key and token.level == 0 and (token.nesting == 1 or token.type == "fence"):
            token.attrSet("data-nyckel", key)
    _figures(body)
    return Markup(md.renderer.render(body, md.options, env))


def _unlink_local(children: list[Token]) -> None:
    """A link to a file or to nothing is printed as its text, not as a link."""
    kept = True
    for child in children:
        if child.type == "link_open":
            kept = bool(_FOLLOWABLE.match(str(child.attrGet("href") or "")))
            if not kept:
                child.tag, child.attrs = "span", {}
        elif child.type == "link_close" and not kept:
            child.tag = "span"


def _images(children: list[Token], images: Mapping[str, Path]) -> None:
    """A checked image points at its file; any other prints as its description."""
    for i, child in enumerate(children):
        if child.type != "image":
            continue
        path = images.get(str(child.attrGet("src") or ""))
        if path is None:
            text = Token("text", "", 0)
            text.content = "".join(c.content for c in child.children or []) or child.content
            children[i] = text
        else:
            child.attrSet("src", path.as_uri())
            child.attrSet("class", "bild")


# A web address typed as text; a sentence's closing punctuation is not part of it.
_URL = re.compile(r"(?:https?://|www\.)[^\s<>]*[^\s<>.,;:!?)\]'\"”]")


def _marked_urls(children: list[Token]) -> list[Token]:
    """Web addresses in text inside <span class="url">, which the print CSS never hyphenates:
    a hyphen inserted in an address makes another address."""
    result: list[Token] = []
    for child in children:
        if child.type != "text" or not _URL.search(child.content):
            result.append(child)
            continue
        position = 0
        for match in _URL.finditer(child.content):
            result.append(_text(child.content[position:match.start()]))
            span = Token("html_inline", "", 0)
            span.content = f'<span class="url">{escape(match.group())}</span>'
            result.append(span)
            position = match.end()
        result.append(_text(child.content[position:]))
    return [t for t in result if t.type != "text" or t.content]


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _figures(tokens: list[Token]) -> None:
    """A paragraph that is only an image becomes a figure, its title the caption under it."""
    for i, token in enumerate(tokens[:-2]):
        if token.type != "paragraph_open" or tokens[i + 1].type != "inline":
            continue
        images = [c for c in tokens[i + 1].children or []
                  if not (c.type == "softbreak" or (c.type == "text" and not c.content.strip()))]
        if len(images) != 1 or images[0].type != "image" or not images[0].attrGet("class"):
            continue
        image = images[0]
        token.tag = tokens[i + 2].tag = "figure"
        token.attrSet("class", "bild")
        caption = str(image.attrGet("title") or "")
        if caption:
            image.attrs.pop("title", None)
            html_inline = Token("html_inline", "", 0)
            html_inline.content = f"<figcaption>{escape(caption)}</figcaption>"
            tokens[i + 1].children = [image, html_inline]
        else:
            tokens[i + 1].children = [image]


def _inline_footnotes(children: list[Token], notes: dict[int, str]) -> None:
    for i, child in enumerate(children):
        if child.type == "footnote_ref":
            html_inline = Token("html_inline", "", 0)
            html_inline.content = f'<span class="fotnot">{notes.get(child.meta["id"], "")}</span>'
            children[i] = html_inline


def to_inline_html(text: str | None, images: Mapping[str, Path] | None = None) -> Markup:
    """Render a one-line md field (a proposal, a question) without the paragraph around it."""
    if not text:
        return Markup("")
    html = to_html(text, images=images)
    stripped = html.strip()
    if stripped.startswith("<p>") and stripped.endswith("</p>") and stripped.count("<p>") == 1:
        return Markup(stripped[3:-4])
    return html
