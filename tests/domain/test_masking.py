from survey.domain.masking import MASK, mask_personal_data


def test_phone_numbers_emails_and_id_numbers_are_masked():
    text = "Gọi 0903 123 456, +84 28-3829-1234, a.b@so.hcm.gov.vn, CCCD 079123456789"
    masked = mask_personal_data(text)
    assert masked == f"Gọi {MASK}, {MASK}, {MASK}, CCCD {MASK}"


def test_ordinary_numbers_stay():
    text = "Đi 3 lần trong năm 2025, chờ 45 phút, hồ sơ số 12345"
    assert mask_personal_data(text) == text
