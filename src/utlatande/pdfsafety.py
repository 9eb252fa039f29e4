"""Active content in a PDF (JavaScript, actions that run, send or open something, forms
that submit, embedded files): named for warnings and `verify`, and stripped from an
appendix before its pages are merged into a statement or an agenda.

Appendices often come from outside organisations: what they carry must not be published.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

# Action types (/S) that run, send, open or play something, with what `verify` says.
ACTIONS = {
    "/JavaScript": ("javascript", "kör JavaScript"),
    "/Launch": ("extern_länk", "startar ett program eller öppnar en fil (/Launch)"),
    "/GoToR": ("extern_länk", "länkar till en annan PDF-fil (/GoToR)"),
    "/GoToE": ("extern_länk", "länkar till en inbäddad eller annan fil (/GoToE)"),
    "/ImportData": ("extern_länk", "läser in data från en annan fil (/ImportData)"),
    "/SubmitForm": ("formulär", "skickar formulärdata (/SubmitForm)"),
    "/ResetForm": ("formulär", "tömmer formulärfält (/ResetForm)"),
    "/Rendition": ("media", "spelar upp media (/Rendition)"),
    "/Movie": ("media", "spelar upp film (/Movie)"),
    "/Sound": ("media", "spelar upp ljud (/Sound)"),
    "/RichMediaExecute": ("media", "kör inbäddad media (/RichMediaExecute)"),
}
# The named actions a reader does on its own: turning pages.
NAVIGATION = {"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"}
# Annotations that are active content themselves: embedded files, media, 3D.
ACTIVE_ANNOTATIONS = {"/FileAttachment", "/Screen", "/Movie", "/Sound", "/RichMedia", "/3D"}
# Link targets that run code or reach another machine's files.
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "file:")


def unsafe_uri(uri: str) -> bool:
    """A link that runs a script or opens a file, written in any case and after any spaces
    or control characters (as readers read it); a UNC path (\\\\server\\share) too."""
    cleaned = "".join(char for char in uri if char > " ").lower()
    return cleaned.startswith(UNSAFE_SCHEMES) or cleaned.startswith(("\\\\", "//"))


def action_issue(action: Any) -> tuple[str, str] | None:
    """(code, Swedish description) when an action dictionary is active content, else None."""
    kind = str(action.get("/S", ""))
    if kind == "/JavaScript" or "/JS" in action:
        return ACTIONS["/JavaScript"]
    if kind in ACTIONS:
        return ACTIONS[kind]
    if kind == "/Named" and str(action.get("/N", "")) not in NAVIGATION:
        return ("namngiven_åtgärd", f"gör en namngiven åtgärd ({action.get('/N', '')})")
    if kind == "/URI" and unsafe_uri(str(action.get("/URI", ""))):
        return ("extern_länk", f"länkar till ett skript eller en fil: {action.get('/URI')}")
    return None


def _chain(action: Any) -> Iterator[Any]:
    """An action and the actions it runs after it (/Next: one or an array)."""
    import pikepdf

    seen: set[tuple[int, int]] = set()
    stack = [action]
    while stack and len(seen) < 1000:
        current = stack.pop()
        if not isinstance(current, pikepdf.Dictionary):
            continue
        if current.is_indirect:  # only indirect objects can form a loop
            if current.objgen in seen:
                continue
            seen.add(current.objgen)
        yield current
        following = current.get("/Next")
        stack.extend(following if isinstance(following, pikepdf.Array) else [following])


def _chain_issue(action: Any) -> tuple[str, str] | None:
    return next((issue for a in _chain(action) if (issue := action_issue(a))), None)


def strip_active(pdf: Any) -> list[str]:
    """Remove every active content from an open pikepdf document; what was removed, as
    short Swedish names in a fixed order."""
    import pikepdf

    removed: set[str] = set()
    root = pdf.Root
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key, label in (("/JavaScript", "JavaScript"), ("/EmbeddedFiles", "bifogade filer")):
            if key in names:
                del names[key]
                removed.add(label)
    acroform = root.get("/AcroForm")
    if isinstance(acroform, pikepdf.Dictionary) and "/XFA" in acroform:
        del acroform["/XFA"]
        removed.add("XFA-formulär")
    opening = root.get("/OpenAction")
    if isinstance(opening, pikepdf.Dictionary) and _chain_issue(opening):
        del root["/OpenAction"]
        removed.add("åtgärd när filen öppnas")
    if "/AA" in root:
        del root["/AA"]
        removed.add("automatiska åtgärder")
    for page in pdf.pages:
        removed |= _strip_page(page.obj)
    return sorted(removed)


def _strip_page(page: Any) -> set[str]:
    import pikepdf

    removed: set[str] = set()
    if "/AA" in page:
        del page["/AA"]
        removed.add("automatiska åtgärder")
    annotations = page.get("/Annots")
    if not isinstance(annotations, pikepdf.Array):
        return removed
    kept = pikepdf.Array()
    for annotation in annotations:
        if not isinstance(annotation, pikepdf.Dictionary):
            continue
        subtype = str(annotation.get("/Subtype", ""))
        if subtype in ACTIVE_ANNOTATIONS:
            removed.add("bifogade filer" if subtype == "/FileAttachment" else "media")
            continue
        if "/AA" in annotation:
            del annotation["/AA"]
            removed.add("automatiska åtgärder")
        action = annotation.get("/A")
        if isinstance(action, pikepdf.Dictionary) and _chain_issue(action) is not None:
            removed.add(_label(action))
            del annotation["/A"]
        kept.append(annotation)
    page["/Annots"] = kept
    return removed


def _label(action: Any) -> str:
    """A removed action's short name: 'JavaScript', '/SubmitForm', '/Named', a link."""
    for current in _chain(action):
        issue = action_issue(current)
        if issue is None:
            continue
        kind = str(current.get("/S", ""))
        if issue[0] == "javascript":
            return "JavaScript"
        return kind if kind != "/URI" else "länk till ett skript eller en fil"
    return "åtgärd"


def sanitized(data: bytes) -> tuple[bytes, list[str]]:
    """An appendix's bytes without active content, and what was removed (nothing: the
    same bytes)."""
    import warnings

    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            removed = strip_active(pdf)
            if not removed:
                return data, []
            out = io.BytesIO()
            with warnings.catch_warnings():
                # qpdf's notes on a malformed form are about the appendix, not for the user.
                warnings.simplefilter("ignore", pikepdf.PikepdfWarning)
                pdf.save(out, deterministic_id=True)
            return out.getvalue(), removed
    except pikepdf.PdfError:
        return data, []  # pypdf then says why the file cannot be read


def active_content(data: bytes) -> list[str]:
    """What an appendix carries that would be stripped from it (strip_active), nothing
    changed."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return strip_active(pdf)
    except pikepdf.PdfError:
        return []  # an unreadable appendix is reported when it is merged
