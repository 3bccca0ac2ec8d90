"""Masking personal data in free text before anyone reads it (METHODOLOGY.md 4).

Vietnamese comments write phone numbers, e-mails and ID numbers in many
ways: ``(+84) 903 123 456``, ``(028) 3829 1234``, ``0903/123/456``, digits
spaced one by one, ``an [at] gmail [dot] com``, ``079.203.001.234``. The
rules below are checked by a corpus of such formats
(tests/security/test_masking_corpus.py); masking too much is the safe error.

- **numbers**: any run of digits joined by spaces, dots, dashes, slashes,
  brackets or ``+`` that holds 9 digits or more, or 8 starting with 0 or
  ``+`` (phones, landlines with their area code, citizen ID and old ID
  card numbers, bank accounts); dates (``01/10/2026``) and amounts of money
  (``1.200.000``) are kept unless a word such as "CCCD" or "SĐT" precedes
  them;
- **e-mails**, plain or written to dodge filters (spaces, ``[at]``,
  ``(at)``, ``a còng``, ``[dot]``);
- **names** after a form of address (anh, chị, ông, bà, cán bộ ...) or
  starting with a common family name, **addresses** after "địa chỉ" or
  "số nhà" and house numbers such as ``12/3A Lê Lợi``, passport numbers and
  licence plates.
"""

from __future__ import annotations

import re

MASK = "•••"

_UPPER = "A-ZÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_WORD = rf"[{_UPPER}][^\W\d_]*"  # a capitalised word

# --- e-mails -----------------------------------------------------------------
_AT = r"(?:\s*@\s*|\s*[\[({<]\s*(?:at|a còng|@)\s*[\])}>]\s*|\s+(?:at|a còng)\s+)"
_DOT = r"(?:\s*\.\s*|\s*[\[({<]\s*(?:dot|chấm|\.)\s*[\])}>]\s*|\s+(?:dot|chấm)\s+)"
_TLD = r"(?:com|vn|net|org|edu|gov|info|io|me|biz)\b"
_EMAIL = re.compile(
    rf"[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*(?:{_DOT}{_TLD})"
    rf"|[\w.+-]+\s*@\s*[\w-]+(?:\s*\.\s*[\w-]+)*",
    re.IGNORECASE,
)

# --- numbers -------------------------------------------------------------------
_RUN = re.compile(r"(?<![\d])(?:\(\s*)?\+?\d+(?:[\s.\-/()+]{1,3}\d+)*")
_DATE = re.compile(
    r"\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?|\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}"
)
_MONEY = re.compile(r"[1-9]\d{0,2}(?:[.,]\d{3})+")
_ID_WORDS = re.compile(
    r"(?:cccd|cmnd|cmt|căn cước|chứng minh|định danh|hộ chiếu|passport|"
    r"stk|số tài khoản|tài khoản|sđt|sdt|đt|điện thoại|phone|tel|zalo|"
    r"hotline|liên hệ|gọi)\W{0,3}$",
    re.IGNORECASE,
)
_PASSPORT = re.compile(r"(?<![\w])[A-Z]\d{7,8}(?!\d)")
_PLATE = re.compile(r"(?<![\w])\d{2}[A-Z]{1,2}\d?\s?[-.]?\s?\d{3}\.?\d{2}(?!\d)")

# --- names and addresses ----------------------------------------------------
_FAMILY = (
    "Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý|"
    "Đinh|Đoàn|Trương|Lâm|Mai|Tô|Trịnh|Hà|Cao|Lương|Tạ|Châu|Thái|Quách"
)
_FULL_NAME = re.compile(rf"\b(?:{_FAMILY})(?:\s+{_WORD}){{1,3}}")
_ADDRESSED = re.compile(
    rf"(?i:\b(?:ông|bà|anh|chị|cô|chú|bác|em|cán bộ|nhân viên|chuyên viên|"
    rf"tên là|tên tôi là|tôi là|tôi tên))\s+((?:{_WORD})(?:\s+{_WORD}){{0,3}})"
)
_ADDRESS = re.compile(
    r"(?i:\b(địa chỉ|đ/c|số nhà|nhà số|nhà ở|ngụ tại|trú tại|thường trú))"
    r"\s*:?\s*[^,.;\n]{1,60}"
)
_HOUSE_NUMBER = re.compile(
    rf"(?<![\w/])\d{{1,4}}[A-Z]?(?:/\d{{1,4}}[A-Z]?)+(?=\s+(?:{_WORD}|đường|hẻm|ngõ|kiệt))"
)


def _mask_number(match: re.Match[str]) -> str:
    run = match.group(0)
    digits = sum(ch.isdigit() for ch in run)
    before = match.string[max(0, match.start() - 25) : match.start()]
    if _ID_WORDS.search(before) and digits >= 6:
        return MASK
    core = run.strip("()+ ")
    if _DATE.fullmatch(core) or _MONEY.fullmatch(core):
        return run
    leading = run.lstrip("( ")
    if digits >= 9 or (digits >= 8 and leading[:1] in ("0", "+")):
        return MASK
    return run


def _keep_form_of_address(match: re.Match[str]) -> str:
    return match.group(0)[: match.start(1) - match.start(0)] + MASK


def mask_personal_data(text: str) -> str:
    """Replace e-mails, phone and ID numbers, names and addresses by MASK."""
    text = _EMAIL.sub(MASK, text)
    text = _ADDRESS.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _PLATE.sub(MASK, text)
    text = _PASSPORT.sub(MASK, text)
    text = _RUN.sub(_mask_number, text)
    text = _HOUSE_NUMBER.sub(MASK, text)
    text = _ADDRESSED.sub(_keep_form_of_address, text)
    return _FULL_NAME.sub(MASK, text)


def matches_masked(text: str, search: str) -> bool:
    """Whether ``search`` occurs in the masked ``text`` (case-insensitive).

    A search runs over what a reader may see, never over what was masked:
    otherwise finding a comment by "nguyenvanan" would confirm the address.
    """
    return search.casefold() in mask_personal_data(text).casefold()
