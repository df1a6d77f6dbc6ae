"""Study material files: the content must be what the name says (a renamed program is refused)."""

from __future__ import annotations

import zipfile

from django.db import transaction

from hongqing.core.audit import log_event
from hongqing.party.services.meetings import OOXML_PARTS, sniff_attachment

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_material(f, ext: str) -> bool:
    """Whether the file's first bytes (or its zip parts) match its extension.

    The meeting attachments' check (photos, PDF, Word, Excel), plus slides and recordings.
    """
    if ext in (".jpg", ".jpeg", ".png", ".pdf", ".doc", ".xls", *OOXML_PARTS):
        return sniff_attachment(f, ext)
    try:
        f.seek(0)
        head = f.read(16)
        if ext == ".ppt":
            return head.startswith(OLE2)
        if ext == ".mp4":
            return head[4:8] == b"ftyp"
        if ext == ".mp3":
            return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
        if ext == ".pptx":
            if not head.startswith(b"PK\x03\x04"):
                return False
            f.seek(0)
            try:
                names = zipfile.ZipFile(f).namelist()
            except (zipfile.BadZipFile, OSError, ValueError):
                return False
            return "[Content_Types].xml" in names and any(n.startswith("ppt/") for n in names)
        return False
    finally:
        f.seek(0)


@transaction.atomic
def add_material(session, upload, *, actor, name: str = "", request=None):
    """Add a file to a session after checking its type, content and size."""
    from ..models import StudyMaterial

    material = StudyMaterial(
        session=session,
        file=upload,
        name=(name or getattr(upload, "name", "") or "").strip()[:200],
        size=getattr(upload, "size", 0) or 0,
        created_by=actor,
    )
    material.full_clean()
    material.save()
    log_event("study_material_added", actor=actor, obj=session, request=request, data={"name": material.name})
    return material
