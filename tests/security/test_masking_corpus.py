"""Personal data in comments, as Vietnamese citizens write it, is masked."""

import pytest

from survey.domain.masking import MASK, mask_personal_data, matches_masked

# (comment, what must not survive masking)
CORPUS = [
    ("Gọi tôi 0903123456 nhé", "0903123456"),
    ("sđt 0903 123 456", "123 456"),
    ("SĐT:0903.123.456", "123.456"),
    ("số 0903-123-456 ạ", "123-456"),
    ("liên hệ +84903123456", "903123456"),
    ("+84 903 123 456 là số của tôi", "903 123 456"),
    ("(+84) 903 123 456", "903 123 456"),
    ("(+84)903123456", "903123456"),
    ("84-903-123-456", "903-123"),
    ("0084 903 123 456", "903 123"),
    ("+84 (0) 903 123 456", "903 123"),
    ("Gọi (028) 3829 1234 không ai nghe", "3829 1234"),
    ("máy bàn 028 3829 1234", "3829 1234"),
    ("028.3829.1234 giờ hành chính", "3829.1234"),
    ("0903  123  456 (hai dấu cách)", "123  456"),
    ("0903/123/456", "123/456"),
    ("09 03 12 34 56", "12 34 56"),
    ("0 9 0 3 1 2 3 4 5 6", "1 2 3 4 5 6"),
    ("sdt0903123456", "0903123456"),
    ("email nguyenvanan@gmail.com", "nguyenvanan"),
    ("Nguyen.Van.An@Gmail.Com.vn", "Nguyen.Van.An"),
    ("nguyenvanan @ gmail.com", "nguyenvanan"),
    ("nguyenvanan @gmail. com", "nguyenvanan"),
    ("nguyenvanan [at] gmail [dot] com", "nguyenvanan"),
    ("nguyenvanan(at)gmail.com", "nguyenvanan"),
    ("nguyenvanan at gmail dot com", "nguyenvanan"),
    ("nguyenvanan a còng gmail chấm com", "nguyenvanan"),
    ("CCCD 079203001234", "079203001234"),
    ("căn cước: 079 203 001 234", "001 234"),
    ("CCCD: 079.203.001.234", "001.234"),
    ("CMND 024123456", "024123456"),
    ("CMND 123.456.789", "456.789"),
    ("STK 0071000123456 Vietcombank", "0071000123456"),
    ("hộ chiếu C1234567", "C1234567"),
    ("xe biển số 51F-123.45 bị giữ", "123.45"),
    ("anh Nguyễn Văn An ở quầy 3 rất tận tình", "Văn An"),
    ("Chị Lan ở quầy số 2 hướng dẫn kỹ", "Lan"),
    ("cán bộ Trần Thị Bích làm chậm hồ sơ", "Bích"),
    ("Tôi là Phạm Minh Tuấn", "Minh Tuấn"),
    ("địa chỉ: 12 Lê Lợi, phường Sài Gòn", "12 Lê Lợi"),
    ("Nhà số 45/7 hẻm 12 đường Nguyễn Trãi", "45/7"),
    ("nhà tôi 12/3A Lê Lợi bị ngập", "12/3A"),
]


@pytest.mark.parametrize(("comment", "secret"), CORPUS)
def test_every_format_is_masked(comment, secret):
    masked = mask_personal_data(comment)
    assert secret not in masked, masked
    assert MASK in masked


def test_the_corpus_has_at_least_30_formats():
    assert len(CORPUS) >= 30


@pytest.mark.parametrize(
    "comment",
    [
        "Đi 3 lần trong năm 2025, chờ 45 phút, hồ sơ số 12345",
        "Hẹn ngày 01/10/2026 mà đến 15/10/2026 mới có",
        "Lệ phí 1.200.000 đồng, cao hơn 100.000.000 đồng năm ngoái? Không đúng",
        "Quầy 3 mở lúc 7:30, đóng 11:30; từ 2024 đến 2025",
        "Thủ tục nhanh, cán bộ thân thiện, rất hài lòng",
    ],
)
def test_ordinary_comments_stay_as_written(comment):
    assert mask_personal_data(comment) == comment


def test_a_search_never_finds_a_comment_by_what_was_masked():
    comment = "Liên hệ nguyenvanan [at] gmail [dot] com, rất hài lòng"
    assert not matches_masked(comment, "nguyenvanan")
    assert matches_masked(comment, "hài LÒNG")
