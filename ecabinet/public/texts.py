"""The public page's words, Vietnamese first."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "site": "Công khai văn bản chỉ đạo, điều hành",
        "province": "Ủy ban nhân dân tỉnh",
        "nav": "Điều hướng",
        "list": "Danh sách văn bản",
        "verify": "Kiểm tra tệp PDF",
        "rv": "Kiểm tra biểu quyết kín",
        "rv_help": (
            "Tải lên hồ sơ kiểm phiếu (tệp JSON) của một cuộc biểu quyết kín: trang này tính"
            " lại kết quả từ các phiếu đã mã hóa và kiểm tra mọi chứng minh, không cần tin"
            " máy chủ. Người bỏ phiếu có thể nhập mã theo dõi phiếu để xem phiếu của mình có"
            " trong hồ sơ không."
        ),
        "rv_file": "Hồ sơ kiểm phiếu (JSON)",
        "rv_code": "Mã theo dõi phiếu (không bắt buộc)",
        "rv_ok": "Hồ sơ hợp lệ: mọi chứng minh đều đúng, kết quả khớp với các phiếu.",
        "rv_bad": "Hồ sơ KHÔNG hợp lệ: các lỗi dưới đây (theo vị trí trong tệp).",
        "rv_hash": "Mã băm SHA-256 của tệp (biên bản họp ghi mã này)",
        "rv_ballots": "Số phiếu",
        "rv_counts": "Kết quả giải mã",
        "rv_option": "Phương án",
        "rv_where": "Vị trí",
        "rv_problem": "Lỗi",
        "rv_in": "Phiếu có mã theo dõi này CÓ trong hồ sơ và đã được kiểm tra.",
        "rv_out": "KHÔNG tìm thấy phiếu có mã theo dõi này trong hồ sơ.",
        "rv_cli": "Cũng có thể kiểm tra ngoại tuyến bằng lệnh",
        "other_lang": "English",
        "footer": (
            "Văn bản được công khai theo quy định; mọi lần công khai, thu hồi đều "
            "ghi vào nhật ký công khai"
        ),
        "log": "Nhật ký công khai",
        "list_title": "Văn bản chỉ đạo, điều hành đã công khai",
        "q": "Tìm trong trích yếu và nội dung",
        "so": "Số, ký hiệu",
        "type": "Loại văn bản",
        "agency": "Cơ quan ban hành",
        "signer": "Người ký",
        "from": "Ban hành từ ngày",
        "to": "Đến ngày",
        "state": "Tình trạng",
        "all": "Tất cả",
        "search": "Tìm kiếm",
        "found": "Số văn bản tìm thấy",
        "number": "số",
        "issued": "Ngày ban hành",
        "signed_by": "Người ký:",
        "none": "Không có văn bản nào phù hợp.",
        "pages": "Trang",
        "prev": "← Trang trước",
        "next": "Trang sau →",
        "state_published": "Đang hiệu lực",
        "state_withdrawn": "Đã thu hồi",
        "state_expired": "Hết hiệu lực",
        "since": "từ ngày",
        "published_at": "Công khai lúc",
        "log_entry": "Nhật ký công khai",
        "proof": "Bằng chứng ghi nhật ký",
        "download": "Tải văn bản (PDF)",
        "report": "Kiểm tra chữ ký số",
        "report_ok": "Chữ ký số hợp lệ, văn bản nguyên vẹn.",
        "report_bad": "Chữ ký số chưa được xác nhận hợp lệ: xem chi tiết dưới đây.",
        "read": "Đọc văn bản",
        "verify_help": (
            "Tải lên một tệp PDF để kiểm tra chữ ký số và xem tệp đó có đúng là văn"
            " bản tỉnh đã công khai hay không."
        ),
        "file": "Tệp PDF",
        "check": "Kiểm tra",
        "result": "Kết quả",
        "is_published": "Đúng là văn bản đã công khai, nguyên vẹn:",
        "not_published": "Tệp này không phải là văn bản tỉnh đã công khai (hoặc đã bị sửa đổi).",
        "sector": "Lĩnh vực",
        "more_filters": "Lọc theo số, loại, cơ quan, người ký, ngày, lĩnh vực, tình trạng",
        "related": "Văn bản liên quan",
        "rel_replaces": "Thay thế",
        "rel_replaced_by": "Được thay thế bởi",
        "rel_amends": "Sửa đổi, bổ sung",
        "rel_amended_by": "Được sửa đổi, bổ sung bởi",
        "report_detail": "Báo cáo kiểm tra chi tiết",
        "skip": "Bỏ qua, đến nội dung chính",
        "results": "Kết quả tìm kiếm",
        "page_no": "Trang",
        "not_found": "Không tìm thấy văn bản công khai này.",
        "bound_title": (
            "Cảnh báo: dữ liệu của văn bản này trên máy chủ khác với nhật ký công khai."
        ),
        "bound_shown": (
            "Trang chỉ hiển thị nội dung đã ghi trong nhật ký công khai (có chữ ký số),"
            " không hiển thị dữ liệu bị thay đổi."
        ),
        "bound_missing": (
            "Nhật ký công khai không có mục nào cho văn bản này: nội dung không được hiển thị."
        ),
        "bound_fields": "trường khác nhau",
        "bound_file": (
            "Tệp PDF lưu trên máy chủ không khớp mã băm đã ghi trong nhật ký công khai:"
            " tệp không được cung cấp."
        ),
        "field_slug": "địa chỉ",
        "field_number_symbol": "số, ký hiệu",
        "field_type_code": "loại văn bản",
        "field_agency_code": "cơ quan ban hành",
        "field_issued_on": "ngày ban hành",
        "field_signer": "người ký",
        "field_signer_title": "chức vụ người ký",
        "field_abstract": "trích yếu",
        "field_sha256": "mã băm tệp PDF",
        "field_sector": "lĩnh vực",
        "field_replaces": "văn bản được thay thế",
        "field_amends": "văn bản được sửa đổi",
        "field_published_at": "thời điểm công khai",
        "field_state": "tình trạng",
        "field_ended_on": "ngày thu hồi, hết hiệu lực",
        "field_reason": "lý do",
        "field_log_seq": "mục nhật ký",
        "field_file": "tệp PDF lưu trữ",
        "field_entry": "mục nhật ký",
        "log_title": "Bằng chứng ghi nhật ký công khai",
        "log_help": (
            "Mỗi lần công khai, thu hồi hay hết hiệu lực được ghi thành một mục không sửa được"
            " của nhật ký công khai (cây Merkle, như nhật ký minh bạch chứng thư). Dưới đây là"
            " mục này, dấu băm của nó và đường chứng minh mục nằm trong nhật ký hiện tại."
        ),
        "log_kind": "Sự kiện",
        "log_kind_publish": "Công khai văn bản",
        "log_kind_withdraw": "Thu hồi văn bản",
        "log_kind_expire": "Văn bản hết hiệu lực",
        "log_kind_correct": "Đính chính",
        "log_kind_audit_checkpoint": "Điểm kiểm tra nhật ký kiểm toán",
        "log_at": "Thời điểm ghi",
        "log_document": "Văn bản",
        "log_payload": "Nội dung mục (JSON chuẩn hóa)",
        "log_leaf": "Dấu băm của mục",
        "log_tree_size": "Số mục của nhật ký",
        "log_root": "Dấu băm gốc của nhật ký",
        "log_path": "Đường chứng minh (các dấu băm, từ lá lên gốc)",
        "log_machine": "Dữ liệu cho phần mềm kiểm tra (JSON)",
        "log_json_entry": "Mục nhật ký",
        "log_json_proof": "Chứng minh thuộc nhật ký",
        "log_json_head": "Đầu nhật ký có chữ ký số",
        "log_not_found": "Không có mục nhật ký này.",
        "log_latest": "Các mục mới nhất",
        "log_list_help": (
            "Mọi lần công khai, thu hồi hay hết hiệu lực của văn bản đều được ghi vào nhật ký"
            " này và không thể sửa hay xóa; mỗi mục có bằng chứng để ai cũng kiểm tra được."
        ),
        "log_empty": "Nhật ký chưa có mục nào.",
        "unavailable_title": "Tạm thời gián đoạn",
        "unavailable": (
            "Trang công khai tạm thời không truy cập được dữ liệu. Vui lòng thử lại sau ít phút."
        ),
    },
    "en": {
        "site": "Published directive documents",
        "province": "Provincial People's Committee",
        "nav": "Navigation",
        "list": "Documents",
        "verify": "Check a PDF",
        "rv": "Check a secret vote",
        "rv_help": (
            "Upload a secret vote's election record (a JSON file): this page recomputes the"
            " result from the encrypted ballots and checks every proof, without trusting the"
            " server. A voter can add their tracking code to see whether their ballot is in"
            " the record."
        ),
        "rv_file": "Election record (JSON)",
        "rv_code": "Ballot tracking code (optional)",
        "rv_ok": "The record is valid: every proof holds and the result follows from the ballots.",
        "rv_bad": "The record is NOT valid: the problems below (by place in the file).",
        "rv_hash": "SHA-256 of the file (the minutes cite it)",
        "rv_ballots": "Ballots",
        "rv_counts": "Decrypted result",
        "rv_option": "Option",
        "rv_where": "Where",
        "rv_problem": "Problem",
        "rv_in": "The ballot with this tracking code IS in the record, and it verifies.",
        "rv_out": "NO ballot with this tracking code was found in the record.",
        "rv_cli": "It can also be checked offline with the command",
        "other_lang": "Tiếng Việt",
        "footer": (
            "Documents published as the law requires; every publication and "
            "withdrawal is recorded in the publication log"
        ),
        "log": "Publication log",
        "list_title": "Published directive documents",
        "q": "Search the abstract and the text",
        "so": "Number and symbol",
        "type": "Document type",
        "agency": "Issuing agency",
        "signer": "Signer",
        "from": "Issued from",
        "to": "Issued until",
        "state": "Status",
        "all": "All",
        "search": "Search",
        "found": "Documents found",
        "number": "no.",
        "issued": "Issued on",
        "signed_by": "Signed by",
        "none": "No document matches.",
        "pages": "Pages",
        "prev": "← Previous page",
        "next": "Next page →",
        "state_published": "In force",
        "state_withdrawn": "Withdrawn",
        "state_expired": "Expired",
        "since": "since",
        "published_at": "Published at",
        "log_entry": "Publication log",
        "proof": "Proof of logging",
        "download": "Download (PDF)",
        "report": "Digital signature check",
        "report_ok": "The signatures are valid; the document is intact.",
        "report_bad": "The signatures could not be confirmed valid: see the details below.",
        "read": "Read the document",
        "verify_help": (
            "Upload a PDF to check its digital signatures and whether it is exactly"
            " a document the province published."
        ),
        "file": "PDF file",
        "check": "Check",
        "result": "Result",
        "is_published": "This is exactly a published document, intact:",
        "not_published": "This file is not a document the province published (or it was changed).",
        "sector": "Sector",
        "more_filters": "Filter by number, type, agency, signer, dates, sector, status",
        "related": "Related documents",
        "rel_replaces": "Replaces",
        "rel_replaced_by": "Replaced by",
        "rel_amends": "Amends",
        "rel_amended_by": "Amended by",
        "report_detail": "Full validation report",
        "skip": "Skip to the main content",
        "results": "Search results",
        "page_no": "Page",
        "not_found": "No such published document.",
        "bound_title": "Warning: this document's data on the server differs from the public log.",
        "bound_shown": (
            "This page shows only what the public log (signed) recorded, not the altered data."
        ),
        "bound_missing": "The public log has no entry for this document: nothing of it is shown.",
        "bound_fields": "fields that differ",
        "bound_file": (
            "The PDF stored on the server does not match the hash recorded in the public log:"
            " it is not served."
        ),
        "field_slug": "address",
        "field_number_symbol": "number and symbol",
        "field_type_code": "document type",
        "field_agency_code": "issuing agency",
        "field_issued_on": "date of issue",
        "field_signer": "signer",
        "field_signer_title": "signer's title",
        "field_abstract": "abstract",
        "field_sha256": "the PDF's hash",
        "field_sector": "sector",
        "field_replaces": "replaced documents",
        "field_amends": "amended documents",
        "field_published_at": "time of publication",
        "field_state": "state",
        "field_ended_on": "date withdrawn or expired",
        "field_reason": "reason",
        "field_log_seq": "log entry",
        "field_file": "the stored PDF",
        "field_entry": "log entry",
        "log_title": "Proof of logging in the publication log",
        "log_help": (
            "Every publication, withdrawal or expiry is recorded as an entry of the"
            " publication log that cannot be changed (a Merkle tree, as in certificate"
            " transparency). Below: this entry, its hash and the path proving that it is in"
            " the log as it is now."
        ),
        "log_kind": "Event",
        "log_kind_publish": "Document published",
        "log_kind_withdraw": "Document withdrawn",
        "log_kind_expire": "Document expired",
        "log_kind_correct": "Correction",
        "log_kind_audit_checkpoint": "Audit log checkpoint",
        "log_at": "Recorded at",
        "log_document": "Document",
        "log_payload": "The entry (canonical JSON)",
        "log_leaf": "Hash of the entry",
        "log_tree_size": "Entries in the log",
        "log_root": "Root hash of the log",
        "log_path": "Audit path (hashes, from the leaf up to the root)",
        "log_machine": "Data for checking software (JSON)",
        "log_json_entry": "Log entry",
        "log_json_proof": "Inclusion proof",
        "log_json_head": "Signed tree head",
        "log_not_found": "No such log entry.",
        "log_latest": "Latest entries",
        "log_list_help": (
            "Every publication, withdrawal or expiry of a document is recorded in this log and"
            " cannot be changed or removed; each entry has evidence anyone can check."
        ),
        "log_empty": "The log has no entries yet.",
        "unavailable_title": "Temporarily unavailable",
        "unavailable": (
            "The public pages cannot read their data right now. Try again in a few minutes."
        ),
    },
}
