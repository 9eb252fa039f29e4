"""The pipeline: load → validate → model → render → write, one answer at a time.

The only way to render: commands, the batch, the agenda and the preview reach the writers
in render/ through the functions here, so a fix to how a statement is made reaches them all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .brand import Brand, brand_problems
from .errors import WARNING, AnswerError, Problem, display_path, internal_error
from .images import check_images
from .load import Loaded, load_yaml
from .model import Answer, Appendix, build_answer
from .placeholders import placeholder_warnings
from .review import drop_control_characters, review
from .theme import Theme, is_profile_name, known_themes, load_theme
from .write import write_all, write_reason
from .yaml_advice import value_warnings


@dataclass
class Checked:
    """An answer file after validation: its model when valid, and every problem found."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    answer: Answer | None = None
    theme: Theme | None = None
    loaded: Loaded | None = None

    @property
    def ok(self) -> bool:
        return self.answer is not None and not any(p.is_error for p in self.problems)


@dataclass
class Built:
    """What building one answer gave: outputs, problems, and every file it was made from."""

    path: Path
    outputs: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    dependencies: list[Path] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)
    # A file it was made from changed while it was made: written, never recorded as current.
    changed: bool = False

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def _theme_for(loaded: Loaded, project: Path) -> tuple[Theme | None, list[Problem]]:
    name = loaded.data.get("profil") if isinstance(loaded.data, dict) else None
    if name is not None and not isinstance(name, str):
        return None, []  # the schema reports the type
    if name is not None and not is_profile_name(name):
        # An answer file never chooses code: a profile is a folder under templates/, by name.
        return None, [loaded.problem(("profil",), f"profilen '{name}' ska vara namnet på en "
                                     "mapp i templates/ eller en inbyggd profil, inte en "
                                     "sökväg; kända profiler: "
                                     + ", ".join(known_themes(project)), "schema.profil")]
    try:
        return load_theme(name, project), []
    except AnswerError as error:
        if name and name not in known_themes(project):
            return None, [loaded.problem(("profil",), f"okänd profil '{name}'; kända profiler: "
                                         + ", ".join(known_themes(project)), "schema.profil")]
        return None, error.problems


def _appendix_problems(answer: Answer, loaded: Loaded, project: Path) -> list[Problem]:
    """Appendix files must exist inside the project and be PDFs."""
    root = project.resolve()
    problems = []
    for appendix in answer.bilagor:
        if appendix.fil is not None:
            problem = appendix_problem(appendix, loaded, root)
            problems.append(problem or active_content_warning(appendix, loaded))
    return [problem for problem in problems if problem is not None]


def active_content_warning(appendix: Appendix, loaded: Loaded) -> Problem | None:
    """A warning naming the active content (JavaScript, actions, embedded files) an
    appendix carries: it is stripped when the appendix is merged (pdfsafety.py)."""
    from .pdfsafety import active_content

    assert appendix.fil is not None
    try:
        found = active_content(appendix.fil.read_bytes())
    except OSError:
        return None  # appendix_problem has said it cannot be read
    if not found:
        return None
    return loaded.problem((*appendix.key_path, "fil"), f"bilagan '{appendix.fil_angiven}' har "
                          f"aktivt innehåll ({', '.join(found)}); det tas bort när bilagan "
                          "läggs in", "bilaga.aktivt_innehåll", level=WARNING)


def appendix_problem(appendix: Appendix, loaded: Loaded, root: Path) -> Problem | None:
    """What is wrong with one appendix file (outside `root`, missing, no PDF), if anything."""
    assert appendix.fil is not None
    where = (*appendix.key_path, "fil")
    path = appendix.fil.resolve()
    shown = appendix.fil_angiven
    if not path.is_relative_to(root):
        return loaded.problem(where, f"bilagan '{shown}' ligger utanför projektet; lägg "
                              "filen i projektets mapp", "bilaga.utanför")
    if not path.is_file():
        return loaded.problem(where, f"bilagan '{shown}' finns inte", "bilaga.saknas")
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        return loaded.problem(where, f"bilagan '{shown}' kan inte läsas ({exc.strerror})",
                              "bilaga.oläsbar")
    if b"%PDF-" not in head:
        return loaded.problem(where, f"bilagan '{shown}' är ingen PDF", "bilaga.inte_pdf")
    return None


def check(path: Path, project: Path,
          brand: Callable[[Theme], list[Problem]] = brand_problems) -> Checked:
    """Load and validate one answer file; every problem is collected, none raised. `brand`
    gives the problems of a theme's brand (the agenda keeps them, to read no brand file)."""
    from .schema import validate_answer  # jsonschema: not in a worker sent checked answers

    checked = Checked(path)
    try:
        loaded = load_yaml(path)
    except AnswerError as error:
        checked.problems = error.problems
        return checked
    checked.problems.extend(value_warnings(loaded.shown, loaded.source, loaded.text_nodes))
    theme, problems = _theme_for(loaded, project)
    checked.problems.extend(problems)
    mallar = theme.mallar if theme else load_theme(None, project).mallar
    checked.problems.extend(validate_answer(loaded, mallar))
    if theme is not None:
        checked.problems.extend(brand(theme))
    if theme is None or any(p.is_error for p in checked.problems):
        return checked
    checked.problems.extend(drop_control_characters(loaded))
    defaults = theme.settings(loaded.data["mall"]).get("standardvärden") or {}
    answer = build_answer(loaded.data, path, defaults)
    checked.problems.extend(_appendix_problems(answer, loaded, project))
    images, image_problems = check_images(loaded, project)
    checked.problems.extend(image_problems)
    answer = dataclasses.replace(answer, bilder=tuple(images.items()))
    placeholders = theme.settings(answer.mall).get("platshållare") or []
    checked.problems.extend(placeholder_warnings(loaded, placeholders))
    checked.problems.extend(review(answer, loaded))
    checked.problems.sort(key=lambda p: (p.path, p.line, p.column))
    checked.answer, checked.theme, checked.loaded = answer, theme, loaded
    return checked


def created(fallback: dt.date | None) -> dt.datetime | None:
    """The date an output carries: SOURCE_DATE_EPOCH when set (reproducible builds), else
    the document's own date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
    return dt.datetime.combine(fallback, dt.time()) if fallback else None


def _meta(answer: Answer, settings: dict) -> dict:
    return {"title": answer.rubrik, "author": answer.förvaltning or answer.organisation,
            "subject": answer.underrubrik, "keywords": settings.get("dokumenttyp"),
            "created": created(answer.datum)}


def docx_needs_pdf(checked: Checked) -> bool:
    """Whether the DOCX is written from the PDF: its table of contents takes the PDF's pages."""
    return checked.answer is not None and bool(checked.answer.innehållsförteckning)


@dataclass(frozen=True)
class Prepared:
    """A valid answer's document before any writer: its HTML (with the marks the DOCX
    writer reads, and without), and the settings and metadata of its mall. Plain data:
    the agenda prepares a statement in one process and lays it out in another."""

    marked: str
    html: str
    settings: dict[str, Any]
    meta: dict[str, Any]


def prepare(checked: Checked) -> Prepared:
    """A valid answer through its mall's template (Jinja, no writer)."""
    from .render.html import render_html, settings_for, strip_marks  # Jinja, babel

    answer, theme = checked.answer, checked.theme
    assert answer is not None and theme is not None
    settings = settings_for(answer, theme)
    meta = _meta(answer, settings)
    marked = render_html(answer, theme, meta["created"], marks=True)
    return Prepared(marked, strip_marks(marked), settings, meta)


def render(checked: Checked, formats: tuple[str, ...], project: Path,
           pdf_variant: str | None = None, embed_source: bool = True,
           prepared: Prepared | None = None) -> dict[str, bytes]:
    """Every requested format's bytes, rendered before anything is written.

    `pdf_variant` overrides the profile's PDF standard (archive.py); `prepared` is the
    answer's HTML as `prepare` made it, if the caller has it.
    """
    answer, theme = checked.answer, checked.theme
    assert answer is not None and theme is not None
    prepared = prepared or prepare(checked)
    settings, meta = prepared.settings, dict(prepared.meta)
    result: dict[str, bytes] = {}
    if "html" in formats:
        result["html"] = prepared.html.encode()
    if "pdf" in formats:
        from .render.archive import pdf_options
        from .render.pdf import heading_pages, write_pdf  # WeasyPrint: only for a PDF

        options = pdf_options(checked.path, theme, answer.mall, settings, pdf_variant,
                              meta["created"], embed_source)
        statement = write_pdf(prepared.html, theme, settings, project, options)
        if docx_needs_pdf(checked):
            # The DOCX's table of contents is written with the PDF's page numbers, so it
            # reads right before Word refreshes it.
            meta["toc_pages"] = heading_pages(statement)
        result["pdf"] = _with_signature_fields(checked, settings,
                                               _with_appendices(checked, settings, statement))
    if "docx" in formats:
        from .render.docx import write_docx

        result["docx"] = write_docx(prepared.marked, settings,
                                    {**meta, "svar": _embedded(checked, project)}, theme.brand)
    return result


def _embedded(checked: Checked, project: Path) -> dict:
    """What a DOCX carries so that its edits can come back: the answer's path (from the
    project) and its text at build time."""
    assert checked.loaded is not None
    path = checked.path.resolve()
    shown = path.relative_to(project.resolve()).as_posix() \
        if path.is_relative_to(project.resolve()) else path.as_posix()
    return {"fil": shown, "text": checked.loaded.source.encode()}


def _with_appendices(checked: Checked, settings: dict[str, Any], statement: bytes) -> bytes:
    """Appendix PDFs after the statement, each with its bookmark "Bilaga N: titel"."""
    answer, loaded = checked.answer, checked.loaded
    assert answer is not None and loaded is not None
    files = [a for a in answer.bilagor if a.fil is not None]
    if not files:
        return statement
    label = settings["rubriker"].get("bilaga", "Bilaga")
    return appended(statement, files, loaded, [f"{label} {a.nummer}: {a.titel}" for a in files])


def _with_signature_fields(checked: Checked, settings: dict[str, Any], pdf: bytes) -> bytes:
    """The PDF with its attestation list and an empty signature field for each approver,
    on the page of the attestation block."""
    answer = checked.answer
    assert answer is not None
    if not answer.attestering:
        return pdf
    from .attestation import approvers_of
    from .render.signature_fields import with_signature_fields

    return with_signature_fields(pdf, approvers_of(answer.attestering),
                                 settings["rubriker"].get("attestering", ""), answer.profil)


def strip_signature_fields(pdf: Any) -> int:
    """A statement's signature fields (and their tags) out of an open pikepdf document,
    where its pages are merged into another (the agenda's packet); how many there were."""
    from .render.signature_fields import without_signature_fields

    return without_signature_fields(pdf)


def appended(statement: bytes | None, files: list[Appendix], loaded: Loaded,
             titles: list[str] | None = None) -> bytes:
    """The statement (or nothing) followed by each appendix file, bookmarked with `titles`
    when given; an appendix that cannot be read is the user's error, at its line in
    `loaded`."""
    from .render.pdf import UnreadableAppendix, append_appendices

    names: list[str | None] = list(titles) if titles is not None else [None] * len(files)
    try:
        return append_appendices(statement, [(name, a.fil) for name, a in zip(  # type: ignore[misc]
            names, files, strict=True)])
    except UnreadableAppendix as error:
        raise AnswerError([unreadable_appendix(files[error.index], loaded, error.reason)]) \
            from None


def unreadable_appendix(appendix: Appendix, loaded: Loaded, reason: str) -> Problem:
    """An appendix file that passed the checks but that pypdf cannot read."""
    return loaded.problem((*appendix.key_path, "fil"), f"bilagan '{appendix.fil_angiven}' är "
                          f"ingen läsbar PDF ({reason})", "bilaga.oläsbar")


def build(path: Path, out_dir: Path, formats: tuple[str, ...], project: Path,
          pdf_variant: str | None = None) -> Built:
    """Build one answer; a failed answer leaves its older outputs untouched."""
    checked = check(path, project)
    built, outputs = render_checked(checked, formats, project, pdf_variant)
    write_outputs(built, outputs, out_dir)
    return built


def render_checked(checked: Checked, formats: tuple[str, ...], project: Path,
                   pdf_variant: str | None = None) -> tuple[Built, dict[str, bytes]]:
    """A checked answer's outputs as bytes, nothing written; none when it has an error."""
    built = Built(checked.path, problems=list(checked.problems))
    if not checked.ok:
        return built, {}
    files, folders = made_from(checked, project)
    before = stamps(files)
    try:
        outputs = render(checked, formats, project, pdf_variant)
    except AnswerError as error:
        built.problems.extend(error.problems)
        return built, {}
    built.dependencies, built.folders = files, folders
    if stamps(files) != before or not _still_reads(checked):
        # The outputs are of the older text: never recorded as up to date (batch/).
        built.changed = True
        built.problems.append(Problem(display_path(checked.path), 1, 1, "filen (eller en fil "
                                      "den byggs av) ändrades under bygget; den byggs om nästa "
                                      "gång", "bygg.ändrad", WARNING))
    return built, outputs


def stamps(files: list[Path]) -> dict[Path, tuple[int, int] | None]:
    """Size and modification time of each file, taken before and after a build: a file
    saved in between is one the outputs may not hold."""
    stamps: dict[Path, tuple[int, int] | None] = {}
    for path in files:
        try:
            status = path.stat()
            stamps[path] = (status.st_size, status.st_mtime_ns)
        except OSError:
            stamps[path] = None
    return stamps


def _still_reads(checked: Checked) -> bool:
    """Whether the answer file still holds the text check() read (an edit between that
    reading and the stamps before rendering would not change them)."""
    from .load import read_text

    assert checked.loaded is not None
    try:
        return read_text(checked.path) == checked.loaded.source
    except AnswerError:
        return False


def output_path(answer: Path, out_dir: Path, fmt: str) -> Path:
    return out_dir / f"{answer.stem}.{fmt}"


def write_outputs(built: Built, outputs: dict[str, bytes], out_dir: Path) -> None:
    """Write every rendered format of an answer, all or none; a folder that cannot take
    them is a problem of this answer, not the batch's end."""
    targets = {output_path(built.path, out_dir, fmt): data for fmt, data in outputs.items()}
    try:
        write_all(targets)
    except OSError as exc:
        where = Path(exc.filename) if exc.filename else out_dir
        reason = write_reason(exc)
        built.problems.append(Problem(display_path(built.path), 1, 1, f"{display_path(where)} "
                                      f"kan inte skrivas ({reason}); ingen av svarsfilens filer "
                                      "skrevs", "utdata.skrivfel"))
        return
    built.outputs.extend(targets)




def inputs(checked: Checked) -> list[Path]:
    """A valid answer's own files: the answer and the files it names (appendices, images)."""
    answer = checked.answer
    assert answer is not None
    return [checked.path, *(a.fil for a in answer.bilagor if a.fil is not None),
            *(path for _, path in answer.bilder)]


def made_from(checked: Checked, project: Path) -> tuple[list[Path], list[Path]]:
    """The files a valid answer's outputs are made from (its inputs and its theme chain),
    and the folders whose listing counts. Build, the agenda's depfile and the preview's
    watcher all go by it."""
    theme = checked.theme
    assert theme is not None
    return [*inputs(checked), *theme.dependencies()], [project / "templates",
                                                       *theme.folder_tree()]


# -- what the agenda and the preview take from the writers ---------------------------------

def settings(checked: Checked) -> dict[str, Any]:
    """The profile's settings for a valid answer's mall, with the answer's own headings."""
    from .render.html import settings_for

    assert checked.answer is not None and checked.theme is not None
    return settings_for(checked.answer, checked.theme)


def statement_pdf(checked: Checked, project: Path, embed_source: bool = True,
                  prepared: Prepared | None = None) -> bytes:
    """A valid answer's PDF as `build` writes it, appendices appended; AnswerError if not.
    Without `embed_source` it carries no answer file (a public agenda's)."""
    return render(checked, ("pdf",), project, embed_source=embed_source,
                  prepared=prepared)["pdf"]


def html_pdf(html: str, theme: Theme, settings: dict[str, Any], project: Path,
             tagged: bool = False) -> bytes:
    """A PDF of HTML that is not an answer's (the kallelse, its page numbers), in the
    theme's print style; `tagged`: PDF/A-2a with tags, as a statement's."""
    from .render.pdf import archive_options, write_pdf

    options = archive_options("pdf/a-2a", None) if tagged else None
    return write_pdf(html, theme, settings, project, options)


def html_docx(html: str, settings: dict[str, Any], meta: dict[str, Any]) -> bytes:
    """A DOCX of HTML in the templates' vocabulary that is not an answer's (the kallelse)."""
    from .render.docx import write_docx

    return write_docx(html, settings, meta)


def heading_pages(pdf: bytes) -> dict[str, int]:
    """Each bookmark's title → the 1-based page it points to."""
    from .render.pdf import heading_pages as pages

    return pages(pdf)


def pdf_variant(value: str) -> str:
    """A PDF variant as WeasyPrint names it; ValueError (Swedish) for one it does not write."""
    from .render.archive import checked_variant

    return checked_variant(value)


def warm_up() -> None:
    """Import WeasyPrint (most of a second), Jinja and the brand's reader before worker
    processes fork, so they share them."""
    import brand_yml  # noqa: F401

    from .render import html, pdf  # noqa: F401


def import_layout(cache: Path | None = None) -> None:
    """Import WeasyPrint (most of a second), in a worker that is to lay out a statement;
    with the hyphenation patterns kept in the PDF cache's folder `cache` (hyphenation.py)."""
    from .render import pdf  # noqa: F401

    if cache is not None:
        from .hyphenation import use_kept

        use_kept(cache)


def warm_layout() -> None:
    """In a worker that is to lay out a statement it is sent prepared (and with its brand):
    import WeasyPrint and lay out a line once, so that what WeasyPrint reads once a
    process (fontconfig, the hyphenation dictionary, its C types) is read while the parent
    prepares the statement."""
    from .render.pdf import warm

    warm()


def clear_caches() -> None:
    """Forget parsed stylesheets and fonts, so that edited theme files are read again."""
    from .render.pdf import clear_caches as clear

    clear()

# -- a statement laid out in a worker (the agenda's) --------------------------------------
# Here, not in agenda/, so that a worker that receives the call imports what laying out
# needs and not the packet's modules (the merge, pikepdf, Jinja): the agenda's spare worker
# receives its call on the critical path of a build with one changed statement.


def render_sent(path: Path, project: Path, embed: bool, sent: Sent | None = None,
                prepared: Prepared | None = None) -> bytes | list[Problem]:
    """One statement's PDF, in a worker process: problems come back as data, not raised.
    From the answer as the build checked it (`sent`), else checked here; from its HTML
    as the build prepared it, if it did."""
    return pdf_or_problems(lambda: statement_pdf(
        sent.received() if sent is not None else check(path, project),
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
        from .theme import adopt_theme

        theme = adopt_theme(self.theme)
        if self.brand is not None:
            theme.give_brand(self.brand)
        return dataclasses.replace(self.checked, theme=theme)


def pdf_or_problems(make: Callable[[], bytes], path: Path) -> bytes | list[Problem]:
    """What `make` gives, or the statement's problems (a bug in utlatande as one)."""
    from .pool import interrupt_if_interrupted

    try:
        return make()
    except AnswerError as error:
        return error.problems
    except Exception as exc:  # a bug in utlatande: this statement's problem, no traceback
        interrupt_if_interrupted(exc)
        return [internal_error(path, exc)]
