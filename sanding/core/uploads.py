"""Whether an uploaded file's content matches its extension, shared by every upload check.

Extensions are trusted only when the bytes agree: a renamed .exe is not a PDF, and an Office Open XML
file must really be a zip holding the parts of its kind.
"""

import zipfile

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (.doc, .xls)
ZIP = b"PK\x03\x04"

# extension -> accepted leading bytes; None means any text without NUL bytes
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "doc": (OLE,),
    "xls": (OLE,),
    "docx": (ZIP,),
    "xlsx": (ZIP,),
    "pptx": (ZIP,),
    "ofd": (ZIP,),
    "zip": (ZIP,),
    "txt": None,
}
# Office Open XML kinds: the folder their main part lives in
OOXML_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}


def extension(name):
    """The lower-case extension of a file name without the dot ('' when there is none)."""
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def content_matches(ext, fileobj):
    """True when the file's bytes are of the kind its extension `ext` names; rewinds `fileobj`."""
    if ext not in SIGNATURES:
        return False
    fileobj.seek(0)
    head = fileobj.read(2048)
    fileobj.seek(0)
    signatures = SIGNATURES[ext]
    if signatures is None:
        return b"\x00" not in head
    if not any(head.startswith(signature) for signature in signatures):
        return False
    if ext in OOXML_PARTS:
        try:
            with zipfile.ZipFile(fileobj) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return False
        finally:
            fileobj.seek(0)
        return "[Content_Types].xml" in names and any(n.startswith(OOXML_PARTS[ext]) for n in names)
    return True
