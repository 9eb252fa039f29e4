"""What every command does, as Python functions: the command line is a thin face over these.

    import utlatande.api as u
    u.build_many(out_dir="build")                 # utlatande build
    u.check([Path("answers/x.yaml")])             # utlatande check
    u.build_agenda(Path("moten/m.yaml"))          # utlatande agenda

Nothing heavy is imported here at module level (no YAML, Jinja or WeasyPrint), so that a
build with nothing to do, and `--help`, start fast. Errors in the user's files come back
as data (problems) or as `errors.UserError`; nothing here prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .agenda import AgendaBuilt
    from .batch import Outcome, Summary
    from .pipeline import Built, Checked
    from .preview.server import PreviewHTTPServer
    from .scaffold import Created
    from .signing import Pkcs11Key, Pkcs12Key, Signed
    from .verify import Finding
    from .verify.signatures import Report
    from .wordimport.importer import Imported
    from .wordimport.legacy import Converted

ANSWERS = Path("answers")
DEFAULT_OUT = Path("build")
DEFAULT_FORMATS = ("pdf", "docx")


def answer_files(paths: list[Path] | tuple[Path, ...] = ()) -> list[Path]:
    """The given answer files, or else every answers/*.yaml and *.yml."""
    if paths:
        return list(paths)
    return sorted(ANSWERS.glob("*.yaml")) + sorted(ANSWERS.glob("*.yml"))


def check(paths: list[Path] | tuple[Path, ...] = (), project: Path | None = None
          ) -> Iterator[Checked]:
    """Each answer file loaded and validated, with every problem found (none raised), one
    at a time as it is checked, so that a long list shows its problems as it goes."""
    from . import pipeline

    project = project or Path.cwd()
    for path in answer_files(paths):
        yield pipeline.check(path, project)


def build(path: Path, out_dir: Path = DEFAULT_OUT, formats: tuple[str, ...] = DEFAULT_FORMATS,
          project: Path | None = None, pdf_variant: str | None = None) -> Built:
    """One answer file built to `out_dir`; its problems are in the result."""
    from . import pipeline

    return pipeline.build(path, out_dir, formats, project or Path.cwd(), pdf_variant)


def build_many(paths: list[Path] | tuple[Path, ...] = (), out_dir: Path = DEFAULT_OUT,
               formats: tuple[str, ...] = DEFAULT_FORMATS, project: Path | None = None, *,
               jobs: int | None = None, force: bool = False,
               report: Callable[[Outcome, int, int], None] | None = None,
               skipped: Callable[[Path], None] | None = None,
               pdf_variant: str | None = None, overwrite_edited: bool = False) -> Summary:
    """Every answer that is not up to date, on every core; each is tried whatever the
    others do. `report` hears of each answer built, `skipped` of each up to date. An
    answer whose DOCX was edited after its build is left alone (`Summary.edited`) unless
    `overwrite_edited`; so is one whose PDF was signed or edited and would be built again
    (`Summary.pdfs`), and a signed PDF whose answer is up to date is kept even with
    `force`."""
    from .batch import run

    return run(answer_files(paths), out_dir, formats, project or Path.cwd(), jobs=jobs,
               force=force, report=report, skipped=skipped, pdf_variant=pdf_variant,
               overwrite_edited=overwrite_edited)


def pdf_variant(value: str) -> str:
    """A PDF variant as WeasyPrint names it; ValueError (in Swedish) for one it does not write."""
    from . import pipeline

    return pipeline.pdf_variant(value)


def build_agenda(meeting: Path, out_root: Path = DEFAULT_OUT, project: Path | None = None,
                 offentlig: bool = False, depfile: Path | None = None) -> AgendaBuilt:
    """A meeting file's agenda (kallelse med föredragningslista) to out_root/<möte>/;
    raises errors.AnswerError with every problem, and then writes nothing."""
    import os
    from functools import partial

    from .pool import LAYOUT_GRACE, Spare, signals_held, sigterm_as_interrupt
    from .store import Store

    # SIGTERM stops the agenda as Ctrl-C does from before the spare forks: the spare's
    # own start (WeasyPrint finding its libraries runs ldconfig) made a third process the
    # moment a SIGTERM took the command down without a word.
    with sigterm_as_interrupt():
        # Forked before the agenda's own modules are imported: it imports WeasyPrint for
        # the one statement most rebuilds lay out, while this process checks the answers.
        spare = Spare(partial(_import_layout, Store(out_root).folder), _warm_up,
                      grace=LAYOUT_GRACE) if (os.cpu_count() or 1) > 1 else None
        try:
            with signals_held():  # the agenda's modules are in before a signal stops it
                from .agenda import build_agenda as build_one_agenda

            return build_one_agenda(meeting, out_root, project or Path.cwd(), offentlig,
                                    depfile, _verify_written, spare, _begin_verify)
        finally:
            if spare is not None:
                spare.end()


def _verify_written(path: Path, shown: str) -> list[Finding]:
    """What `verify` finds in a PDF the agenda writes, named as shown (a module's function:
    a large packet is verified in a fresh process)."""
    from .verify import Finding, verify_pdf

    return [Finding(shown, message, code) for code, message in verify_pdf(path)]


def _import_layout(cache: Path) -> None:
    from . import pipeline

    pipeline.import_layout(cache)


def _begin_verify(path: Path) -> AbstractContextManager[object]:
    """Within: the syntax check of a PDF `_verify_written` is about to verify, begun (in a
    worker, for a large file)."""
    from .verify.pdf import syntax_ahead

    return syntax_ahead(path)


def _warm_up() -> None:
    from . import pipeline

    # The statement comes prepared, with its theme's brand (agenda/parts.py).
    pipeline.warm_layout()


def agenda_unchanged(meeting: Path, out_root: Path = DEFAULT_OUT, offentlig: bool = False,
                     depfile: Path | None = None) -> Path | None:
    """The agenda's folder when nothing it is made from has changed since it was built with
    these options (nothing heavy is imported to tell); None when it must be built."""
    from .store import agenda_outputs

    outputs = agenda_outputs(meeting, out_root, offentlig, depfile)
    return outputs[0].parent if outputs else None


def verify(paths: list[Path] | tuple[Path, ...] = ()) -> dict[Path, list[Finding]]:
    """Each PDF or DOCX file (default: every one in build/) → what it fails; [] passes."""
    from .verify import default_files, verify_file

    return {path: verify_file(path) for path in (list(paths) or default_files())}


def verify_signatures(paths: list[Path] | tuple[Path, ...] = (),
                      trust: list[Path] | tuple[Path, ...] = (), require: bool = False,
                      project: Path | None = None) -> dict[Path, Report]:
    """Each PDF's signatures (default: every PDF in build/), checked against the trust
    roots in `trust` and those the PDF's profile names in tema.yaml; with `require`, every
    approver must have signed. Raises verify.signatures.TrustRootError for an unreadable
    root."""
    from .verify import default_files, kind_of
    from .verify.signatures import Policy, load_trust_roots

    policy = Policy(load_trust_roots(list(trust)), require, project or Path.cwd())
    return {path: policy.check(path) for path in (list(paths) or default_files())
            if path.is_file() and kind_of(path) == "pdf"}


def attest(path: Path, key: Pkcs12Key | Pkcs11Key, timestamp_url: str | None = None
           ) -> Signed:
    """Sign the statement's PDF at `path` as the approver `key`'s certificate names (PAdES
    B-B, or B-T with a time-stamp from `timestamp_url`); raises a UserError, the file left
    as it was, when the signer is not an approver who has yet to sign."""
    from .errors import display_path
    from .signing import sign_file

    return sign_file(path, key, display_path(path), timestamp_url)


def new_answer(mall: str, target: Path | None = None, profil: str | None = None,
               project: Path | None = None, today: dt.date | None = None) -> Created:
    """A new answer file for `mall` (never over an existing file); raises
    scaffold.ScaffoldError when it cannot be written."""
    from .scaffold import create, default_target, project_profile

    project = project or Path.cwd()
    today = today or dt.date.today()
    profil = profil or project_profile(project)
    return create(mall, target or default_target(mall, today), project, profil, today)


def new_profile(name: str, project: Path | None = None, word: Path | None = None,
                logo: Path | None = None, display_name: str | None = None) -> list[Path]:
    """templates/<name>/ with tema.yaml, _brand.yml and copies of the logo and Word
    template: the files written; raises newprofile.ProfileError, having written nothing."""
    from .newprofile import new_profile as make

    folder = make(name, project or Path.cwd(), word=word, logo=logo, display_name=display_name)
    return sorted(folder.iterdir())


def preview(paths: list[Path] | tuple[Path, ...] = (), port: int | None = None,
            project: Path | None = None, log: Callable[[str], None] = lambda line: None
            ) -> PreviewHTTPServer:
    """The preview server for the answer files (each once), bound and rendering; serve it
    with `preview.server.run(server, open_browser)`. `log` hears of every render."""
    from .preview.server import start
    from .store import place_of

    unique: dict[Path, Path] = {}
    for path in answer_files(paths):
        unique.setdefault(place_of(path), path)  # a symlink loop: shown with its problem
    return start(list(unique.values()), project or Path.cwd(), port, log)


def import_docx(docx: Path, answer: Path | None = None, mode: str = "list",
                show: bool = False, project: Path | None = None) -> Imported:
    """utlatande import: the edits in a built DOCX merged into its answer file (three ways);
    `mode` takes pending tracked changes: 'list' (write nothing), 'accept' or 'reject'."""
    from .batch.edited import mark_collected
    from .wordimport.importer import import_docx as merge_docx

    result = merge_docx(docx, project or Path.cwd(), answer, mode, show)
    if result.collected:
        mark_collected(docx)  # the next build may replace the DOCX
    return result


def import_statement(docx: Path, target: Path, mall: str | None = None,
                     profil: str | None = None, project: Path | None = None) -> Converted:
    """utlatande import -o: a Word statement made without utlatande as a new answer file
    (never over an existing one)."""
    from .scaffold import SCHEMA_FILE, project_profile
    from .wordimport.legacy import convert

    project = project or Path.cwd()
    profil = profil if profil is not None else project_profile(project)
    return convert(docx, target, project, mall, profil, project / SCHEMA_FILE)
