"""A statement's PDF → the same PDF with its attestation list in the XMP metadata and one
empty signature field per approver, for `utlatande attestera` to fill.

The fields are invisible (a zero-size rectangle: the attestation block on the page already
shows the names), print-flagged as PDF/A asks of every annotation, and each is tagged as a
/Form element of the tag tree, so the PDF stays a tagged PDF/A.

`without_signature_fields` takes them out again, tags and all, where a statement's pages
are merged into another document (the agenda's packet): there every statement's fields
would have the same names, and a field signed in one file means nothing in another.
"""

from __future__ import annotations

import io

from ..attestation import Approver, with_attestation_list

# Print (4) and Locked (128): PDF/A wants every annotation printable; nobody moves these.
WIDGET_FLAGS = 4 | 128


def with_signature_fields(pdf: bytes, approvers: list[Approver], heading: str,
                          profile: str | None = None) -> bytes:
    """`pdf` with the attestation list and an empty signature field for each approver.

    The fields sit on the page the bookmark `heading` (the attestation block's heading)
    points to, else on the first page.
    """
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        page = document.pages[_bookmarked_page(document, heading)]
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


def _bookmarked_page(document, heading: str) -> int:
    """The 0-based page the first bookmark titled `heading` points to; 0 if none does."""
    import pikepdf

    wanted = " ".join(heading.split())
    outlines = document.Root.get("/Outlines")
    stack = [outlines.get("/First")] if outlines is not None else []
    seen: set = set()
    while stack:
        item = stack.pop()
        if not isinstance(item, pikepdf.Dictionary) or item.objgen in seen:
            continue
        seen.add(item.objgen)
        destination = item.get("/Dest")
        if " ".join(str(item.get("/Title", "")).split()) == wanted \
                and isinstance(destination, pikepdf.Array) and len(destination):
            for index, page in enumerate(document.pages):
                if page.obj.objgen == destination[0].objgen:
                    return index
        stack.extend(item.get(key) for key in ("/Next", "/First"))
    return 0


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


def without_signature_fields(document) -> int:
    """Remove every signature field of an open pikepdf document, in place: its widget from
    the page, its entry in /AcroForm, its element of the tag tree and its key in the parent
    tree. How many were removed."""
    import pikepdf

    tree = document.Root.get("/StructTreeRoot")
    parent_tree = pikepdf.NumberTree(tree.ParentTree) \
        if tree is not None and "/ParentTree" in tree else None
    removed = 0
    for page in document.pages:
        annotations = page.obj.get("/Annots")
        if not isinstance(annotations, pikepdf.Array):
            continue
        kept = pikepdf.Array()
        for annotation in annotations:
            if not _is_signature_widget(annotation):
                kept.append(annotation)
                continue
            removed += 1
            if parent_tree is not None and "/StructParent" in annotation:
                _untag(parent_tree, int(annotation.StructParent), annotation)
        if removed:
            page.obj.Annots = kept
    acroform = document.Root.get("/AcroForm")
    if isinstance(acroform, pikepdf.Dictionary):
        fields = [f for f in acroform.get("/Fields", []) if not _is_signature_field(f)]
        if fields:
            acroform.Fields = pikepdf.Array(fields)
        else:
            del document.Root["/AcroForm"]
    return removed


def _is_signature_field(field) -> bool:
    import pikepdf

    return isinstance(field, pikepdf.Dictionary) and field.get("/FT") == pikepdf.Name.Sig


def _is_signature_widget(annotation) -> bool:
    """A widget of a signature field: the field itself (merged), or one of its kids."""
    import pikepdf

    if not isinstance(annotation, pikepdf.Dictionary) \
            or annotation.get("/Subtype") != pikepdf.Name.Widget:
        return False
    return _is_signature_field(annotation) or _is_signature_field(annotation.get("/Parent"))


def _untag(parent_tree, key: int, widget) -> None:
    """Drop a widget's key from the parent tree, and its /Form element from the tag tree."""
    import pikepdf

    element = parent_tree.get(key)
    if key in parent_tree:
        del parent_tree[key]
    if not isinstance(element, pikepdf.Dictionary):
        return
    reference = element.get("/K")
    if not (isinstance(reference, pikepdf.Dictionary) and reference.get("/Obj") is not None
            and reference.Obj.objgen == widget.objgen):
        return  # not an element of this widget alone: leave it
    parent = element.get("/P")
    kids = parent.get("/K") if isinstance(parent, pikepdf.Dictionary) else None
    if isinstance(kids, pikepdf.Array):
        parent.K = pikepdf.Array([kid for kid in kids if not (
            isinstance(kid, pikepdf.Dictionary) and kid.is_indirect
            and kid.objgen == element.objgen)])
