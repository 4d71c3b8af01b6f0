import io
import zipfile

import pytest

from sanding.core.uploads import OLE, content_matches, extension


def ooxml(folder):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.pdf", b"%PDF-1.4\n", True),
        ("a.pdf", b"MZ\x90\x00 not a pdf", False),
        ("a.png", b"\x89PNG\r\n\x1a\n....", True),
        ("a.JPG", b"\xff\xd8\xff\xe0", True),
        ("a.doc", OLE + b"\0" * 8, True),
        ("a.docx", ooxml("word/"), True),
        ("a.docx", ooxml("xl/"), False),  # an Excel file renamed .docx
        ("a.xlsx", b"PK\x03\x04 broken zip", False),
        ("a.txt", "纯文本说明".encode(), True),
        ("a.txt", b"bin\x00ary", False),
        ("a.exe", b"MZ", False),
        ("noextension", b"%PDF-", False),
    ],
)
def test_content_must_match_the_extension(name, content, expected):
    assert content_matches(extension(name), io.BytesIO(content)) is expected


def test_check_rewinds_the_file():
    fileobj = io.BytesIO(ooxml("xl/"))
    assert content_matches("xlsx", fileobj) is True
    assert fileobj.tell() == 0
