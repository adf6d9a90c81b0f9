"""Vietnamese reference codes used by validators and the sample generator."""

from __future__ import annotations

# Birth-registration province codes of the 12-digit personal ID (the 63-province table in force before 07/2025).
# fmt: off
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
    "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
    "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
    "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
    "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh",
    "086": "Vĩnh Long", "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}
# fmt: on

# Century-and-sex digit (4th digit of the personal ID): (first year of the century, sex).
# fmt: off
CENTURY_SEX_DIGIT: dict[str, tuple[int, str]] = {
    "0": (1900, "male"), "1": (1900, "female"),
    "2": (2000, "male"), "3": (2000, "female"),
    "4": (2100, "male"), "5": (2100, "female"),
}
# fmt: on

# The document types of shared/spec/document-types.md, with their Vietnamese names.
DOC_TYPES: dict[str, str] = {
    "citizen_id": "Thẻ căn cước / Căn cước công dân",
    "birth_certificate": "Giấy khai sinh",
    "marriage_certificate": "Giấy chứng nhận kết hôn",
    "land_use_certificate": "Giấy chứng nhận quyền sử dụng đất",
    "business_registration": "Giấy chứng nhận đăng ký doanh nghiệp",
    "building_permit": "Giấy phép xây dựng",
    "dossier_receipt": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "decision": "Quyết định / văn bản hành chính",
    "application_form": "Đơn / Tờ khai đề nghị",
    "other": "Khác",
}
assert len(PROVINCE_CODES) == 63
