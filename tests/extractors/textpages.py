"""PageText objects built from lines of text, laid out on a grid like a 300 dpi A4 scan.

Three or more spaces inside a line start a new column: the words after them jump to the right half of the
page (the header of an administrative paper, a signature block). A line that starts with three spaces is
entirely in the right column.
"""

from __future__ import annotations

import re

from pipelines.model import PageText, Word

WIDTH, HEIGHT, DPI = 2480, 3508, 300
CHAR_W, WORD_H, LINE_PITCH, SPACE_W, MARGIN = 22, 42, 72, 16, 180
COLUMN_GAP = 240


def _layout_line(text: str, y: int, line_no: int, confidence: float) -> list[Word]:
    words: list[Word] = []
    x = MARGIN
    for col_index, column in enumerate(re.split(r"\s{3,}", text)):
        if col_index > 0 or (col_index == 0 and text.startswith("   ")):
            x = max(x + COLUMN_GAP, WIDTH // 2) if column else x
        for word in column.split():
            w = len(word) * CHAR_W
            words.append(Word(text=word, confidence=confidence, bbox=(x, y, x + w, y + WORD_H), line=line_no))
            x += w + SPACE_W
    return words


def page_from_lines(
    lines: list[str], *, confidence: float = 0.95, index: int = 0, source: str = "ocr", below: bool = False
) -> PageText:
    """A page whose words sit on a grid, one text line per visual line.

    With ``below=True`` every ``label: value`` line is printed as the label on one line and the value,
    indented, on the line below it.
    """
    if below:
        split: list[str] = []
        for line in lines:
            m = re.match(r"^([^:]{2,60}:)\s+(\S.*)$", line)
            if m and "   " not in line:
                split.extend([m.group(1), "  " + m.group(2)])
            else:
                split.append(line)
        lines = split
    words: list[Word] = []
    for n, line in enumerate(lines):
        words.extend(_layout_line(line, MARGIN + n * LINE_PITCH, n, confidence))
    return PageText(
        index=index,
        width=WIDTH,
        height=HEIGHT,
        dpi=DPI,
        source=source,  # type: ignore[arg-type]
        words=words,
        text="\n".join(lines),
        mean_confidence=confidence if words else 0.0,
    )


def page_with_values_below(lines: list[str], **kwargs: object) -> PageText:
    """``page_from_lines(lines, below=True)``: each value on the line under its label."""
    return page_from_lines(lines, below=True, **kwargs)  # type: ignore[arg-type]


# --- realistic documents of every type (real Vietnamese, as printed) -----------------------------------------

HEADING = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]

DOCUMENTS: dict[str, list[str]] = {
    "citizen_id": [
        *HEADING,
        "CĂN CƯỚC CÔNG DÂN",
        "Số / No.: 001303001234",
        "Họ và tên / Full name:",
        "NGUYỄN THỊ ÁNH",
        "Ngày sinh / Date of birth: 15/03/2003",
        "Giới tính / Sex: Nữ   Quốc tịch / Nationality: Việt Nam",
        "Quê quán / Place of origin: Xã Tiên Phong, Huyện Duy Tiên,",
        "Hà Nam",
        "Nơi thường trú / Place of residence: Số 12 Lê Lợi, Phường Bến Nghé,",
        "Quận 1, Thành phố Hồ Chí Minh",
        "Có giá trị đến: 15/03/2028",
        "Ngày cấp: 10/05/2021",
    ],
    "birth_certificate": [
        "ỦY BAN NHÂN DÂN   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "PHƯỜNG BẾN NGHÉ   Độc lập - Tự do - Hạnh phúc",
        "Số: 125",
        "GIẤY KHAI SINH",
        "Họ, chữ đệm, tên: NGUYỄN THỊ ÁNH",
        "Ngày, tháng, năm sinh: 15/03/2024   Ghi bằng chữ: Ngày mười lăm, tháng ba, năm hai nghìn không trăm hai mươi bốn",
        "Giới tính: Nữ   Dân tộc: Kinh   Quốc tịch: Việt Nam",
        "Nơi sinh: Bệnh viện Từ Dũ, Thành phố Hồ Chí Minh",
        "Quê quán: Xã Tiên Phong, huyện Duy Tiên, tỉnh Hà Nam",
        "Số định danh cá nhân: 079324001234",
        "Họ, chữ đệm, tên người mẹ: TRẦN THỊ BÌNH",
        "Năm sinh: 1995   Dân tộc: Tày   Quốc tịch: Việt Nam",
        "Nơi cư trú: Số 12 Lê Lợi, phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
        "Họ, chữ đệm, tên người cha: NGUYỄN VĂN AN",
        "Năm sinh: 1992   Dân tộc: Kinh   Quốc tịch: Việt Nam",
        "Nơi đăng ký khai sinh: Ủy ban nhân dân phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
        "Ngày, tháng, năm đăng ký: 20/03/2024",
    ],
    "marriage_certificate": [
        *HEADING,
        "GIẤY CHỨNG NHẬN KẾT HÔN",
        "Số: 87",
        "Họ, chữ đệm, tên chồng: NGUYỄN VĂN AN   Họ, chữ đệm, tên vợ: TRẦN THỊ BÌNH",
        "Ngày, tháng, năm sinh: 02/09/1992   Ngày, tháng, năm sinh: 14/02/1995",
        "Dân tộc: Kinh   Dân tộc: Tày",
        "Quốc tịch: Việt Nam   Quốc tịch: Việt Nam",
        "Giấy tờ tùy thân: 001092001234   Giấy tờ tùy thân: 024195005678",
        "Nơi đăng ký: Ủy ban nhân dân phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
        "Ngày, tháng, năm đăng ký: 05/06/2023",
    ],
    "land_use_certificate": [
        *HEADING,
        "GIẤY CHỨNG NHẬN",
        "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU TÀI SẢN GẮN LIỀN VỚI ĐẤT",
        "Số phát hành: AB 12345678",
        "1. Người sử dụng đất: Ông Nguyễn Văn An, sinh năm 1980, CCCD số: 079080001234",
        "Địa chỉ thường trú: Số 5 Trần Hưng Đạo, phường Phạm Ngũ Lão, Quận 1",
        "2. Thửa đất:",
        "a) Thửa đất số: 123   b) Tờ bản đồ số: 45",
        "c) Địa chỉ: Phường Thảo Điền, thành phố Thủ Đức, Thành phố Hồ Chí Minh",
        "d) Diện tích: 1.234,5 m² (Bằng chữ: một nghìn hai trăm ba mươi bốn phẩy năm mét vuông)",
        "đ) Hình thức sử dụng: Sử dụng riêng",
        "e) Mục đích sử dụng: Đất ở tại đô thị",
        "g) Thời hạn sử dụng: Lâu dài",
        "Số vào sổ cấp GCN: CS 01234",
        "   Hồ Chí Minh, ngày 12 tháng 9 năm 2024",
    ],
    "business_registration": [
        "SỞ KẾ HOẠCH VÀ ĐẦU TƯ   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "THÀNH PHỐ HỒ CHÍ MINH   Độc lập - Tự do - Hạnh phúc",
        "GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP",
        "CÔNG TY TRÁCH NHIỆM HỮU HẠN MỘT THÀNH VIÊN",
        "Mã số doanh nghiệp: 0100109106",
        "Đăng ký lần đầu: ngày 15 tháng 3 năm 2020",
        "Đăng ký thay đổi lần thứ: 2, ngày 01 tháng 7 năm 2023",
        "1. Tên công ty",
        "Tên công ty viết bằng tiếng Việt: CÔNG TY TNHH THƯƠNG MẠI ÁNH DƯƠNG",
        "Tên công ty viết bằng tiếng nước ngoài: ANH DUONG TRADING COMPANY LIMITED",
        "2. Địa chỉ trụ sở chính",
        "Số 12 Lê Lợi, phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
        "Điện thoại: 028 3822 1234",
        "3. Vốn điều lệ: 5.000.000.000 đồng",
        "Bằng chữ: Năm tỷ đồng",
        "4. Người đại diện theo pháp luật của công ty",
        "Họ và tên: NGUYỄN THỊ ÁNH   Giới tính: Nữ",
        "Chức danh: Giám đốc",
    ],
    "building_permit": [
        "ỦY BAN NHÂN DÂN   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "QUẬN 1   Độc lập - Tự do - Hạnh phúc",
        "Số: 45/GPXD   Hồ Chí Minh, ngày 10 tháng 4 năm 2024",
        "GIẤY PHÉP XÂY DỰNG",
        "1. Cấp cho: Ông Nguyễn Văn An",
        "Địa chỉ: Số 12 Lê Lợi, phường Bến Nghé, Quận 1",
        "2. Được phép xây dựng công trình: Nhà ở riêng lẻ",
        "- Địa điểm xây dựng: Số 34 Nguyễn Huệ, phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
        "- Diện tích xây dựng tầng 1: 85,5 m²",
        "- Tổng diện tích sàn: 320 m²",
        "- Số tầng: 4 tầng",
    ],
    "dossier_receipt": [
        "ỦY BAN NHÂN DÂN QUẬN 1   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ   Độc lập - Tự do - Hạnh phúc",
        "Mã hồ sơ: H31.01.05-240315-0042",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Bộ phận tiếp nhận và trả kết quả: Trung tâm Phục vụ hành chính công Thành phố Hồ Chí Minh",
        "Tiếp nhận hồ sơ của: Bà Nguyễn Thị Ánh",
        "Số định danh cá nhân: 079303001234",
        "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
        "Thời gian nhận hồ sơ: 08 giờ 30 phút, ngày 15/03/2024",
        "Thời gian trả kết quả: ngày 20/03/2024",
    ],
    "decision": [
        "ỦY BAN NHÂN DÂN   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "QUẬN 1   Độc lập - Tự do - Hạnh phúc",
        "Số: 12/QĐ-UBND   Hồ Chí Minh, ngày 05 tháng 3 năm 2024",
        "QUYẾT ĐỊNH",
        "Về việc cấp Giấy phép xây dựng nhà ở riêng lẻ cho bà Nguyễn Thị Ánh",
        "ỦY BAN NHÂN DÂN QUẬN 1",
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        "QUYẾT ĐỊNH:",
        "Điều 1. Cấp Giấy phép xây dựng cho bà Nguyễn Thị Ánh.",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
        "Nơi nhận:   TM. ỦY BAN NHÂN DÂN",
        "- Như Điều 2;   KT. CHỦ TỊCH",
        "- Lưu: VT.   PHÓ CHỦ TỊCH",
        "   (Đã ký)",
        "   Lê Văn Hùng",
    ],
    "application_form": [
        *HEADING,
        "TỜ KHAI ĐĂNG KÝ KHAI SINH",
        "Kính gửi: Ủy ban nhân dân phường Bến Nghé",
        "Họ, chữ đệm, tên người yêu cầu: Nguyễn Thị Ánh",
        "Ngày, tháng, năm sinh: 15/03/1990",
        "Số định danh cá nhân: 079190001234",
        "Nơi cư trú: Số 12 Lê Lợi, phường Bến Nghé, Quận 1,",
        "Thành phố Hồ Chí Minh",
        "Đề nghị: Đăng ký khai sinh cho cháu Nguyễn Minh Khang. Tôi cam đoan nội dung",
        "khai trên đây là đúng sự thật.",
        "   Hồ Chí Minh, ngày 20 tháng 3 năm 2024",
        "   Người yêu cầu",
        "   Nguyễn Thị Ánh",
    ],
}
