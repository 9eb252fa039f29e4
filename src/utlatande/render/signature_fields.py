"""A statement's PDF → the same PDF with its attestation list in the XMP metadata and one
empty signature field per approver, for `utlatande attestera` to fill.

The fields are invisible (a zero-size rectangle: the attestation block on the page already
shows the names), print-flagged as PDF/A asks of every annotation, and each is tagged as a
/Form element of the tag tree, so the PDF stays a tagged PDF/A.
"""

from __future__ import annotations

import io

from ..attestation import Approver, with_attestation_list

# Print (4) and Locked (128): PDF/A wants every annotation printable; nobody moves these.
WIDGET_FLAGS = 4 | 128


def with_signature_fields(pdf: bytes, approvers: list[Approver], page_index: int,
                          profile: str | None = None) -> bytes:
    """`pdf` with the attestation list and an empty signature field for each approver.

    The fields sit on page `page_index` (0-based), where the attestation block is.
    """
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        page = document.pages[min(page_index, len(document.pages) - 1)]
        widgets = [_widget(document, page, approver) for approver in approvers]
        page.obj.Annots = document.make_indirect(
            pikepdf.Array([*page.obj.get("/Annots", []), *widgets]))
        acroform = document.Root.get("/AcroForm")
        if acroform is None:
            acroform = document.Root.AcroForm = document.make_indirect(
                pikepdf.Dictionary(Fields=pikepdf.Array()))
        acroform.Fields = pikepdf.Array([*acroform.get("/Fields", []), *widgets])
        _tag(document, page, widgets, approvers)
        _add_list(document, approvers, profile)
        out = io.BytesIO()
        # The ID from the content: the same statement always gives the same bytes.
        document.save(out, deterministic_id=True)
        return out.getvalue()


def page_count(pdf: bytes) -> int:
    """How many pages a PDF has."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def _widget(document, page, approver: Approver):
    """An unsigned signature field merged with its invisible widget annotation."""
    import pikepdf

    return document.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Sig,
        T=pikepdf.String(approver.fält), TU=pikepdf.String(f"Signatur: {approver.namn}"),
        Rect=pikepdf.Array([0, 0, 0, 0]), F=WIDGET_FLAGS, P=page.obj))


def _tag(document, page, widgets: list, approvers: list[Approver]) -> None:
    """Each widget as a /Form element of the tag tree, found through the parent tree."""
    import pikepdf

    tree = document.Root.get("/StructTreeRoot")
    if tree is None:
        return
    kids = tree.get("/K")
    top = kids[0] if isinstance(kids, pikepdf.Array) and len(kids) else kids
    if not isinstance(top, pikepdf.Dictionary):
        return
    parent_tree = tree.ParentTree
    numbers = parent_tree.get("/Nums")
    if numbers is None:
        return  # a parent tree split into /Kids: leave the widgets untagged
    key = max([int(numbers[i]) for i in range(0, len(numbers), 2)] + [-1]) + 1
    top_kids = top.get("/K")
    if not isinstance(top_kids, pikepdf.Array):
        top_kids = top.K = pikepdf.Array([] if top_kids is None else [top_kids])
    for widget, approver in zip(widgets, approvers, strict=True):
        element = document.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name.Form, P=top, Pg=page.obj,
            Alt=pikepdf.String(f"Signaturfält för {approver.namn}"),
            K=pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=widget, Pg=page.obj)))
        top_kids.append(element)
        widget.StructParent = key
        numbers.extend([key, element])
        key += 1
    tree.ParentTreeNextKey = key


def _add_list(document, approvers: list[Approver], profile: str | None) -> None:
    """The attestation list into the XMP packet, the rest of the packet kept as it was."""
    import pikepdf

    metadata = document.Root.get("/Metadata")
    if metadata is None:
        return
    xmp = with_attestation_list(metadata.read_bytes(), approvers, profile)
    document.Root.Metadata = document.make_stream(
        xmp, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
