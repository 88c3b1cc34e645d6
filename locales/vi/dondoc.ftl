# Thông báo lỗi nhập liệu. $field là tên trường đã dịch.
err-required = { $field }: không được để trống.
err-date = { $field }: “{ $value }” không phải là ngày hợp lệ (dạng dd/mm/yyyy hoặc YYYY-MM-DD).
err-too-long = { $field }: quá dài (tối đa { $max } ký tự).
err-unit-code = { $field }: mã “{ $value }” chỉ được gồm chữ không dấu, số, dấu gạch và dấu chấm (tối đa 32 ký tự).
err-email = { $field }: “{ $value }” không phải là địa chỉ thư điện tử hợp lệ.
err-unit-own-parent = { $field }: đơn vị không thể là đơn vị cấp trên của chính nó.
err-unit-cycle = { $field }: quan hệ cấp trên tạo thành vòng lặp.
err-unknown-unit = { $field }: không có đơn vị mã “{ $value }”.
err-unit-user-needs-unit = { $field }: tài khoản của đơn vị phải gắn với một đơn vị.
err-email-taken = { $field }: địa chỉ thư đã được dùng cho tài khoản khác.
err-reference = { $field }: số hiệu tối đa { $max } ký tự, không chứa ký tự điều khiển.
err-reference-taken = { $field }: số hiệu nhiệm vụ đã tồn tại.
err-before-assigned = { $field }: ngày { $value } trước ngày giao ({ $assigned }).
err-in-future = { $field }: ngày { $value } chưa đến.
err-original-without-deadline = { $field }: có thời hạn ban đầu thì phải có thời hạn hiện tại.
err-lead-coordinates = { $field }: đơn vị chủ trì { $value } không đồng thời là đơn vị phối hợp.
err-duplicate-in-file = { $field }: “{ $value }” đã có ở dòng { $line }.
err-password-short = { $field }: mật khẩu phải có ít nhất { $min } ký tự.
err-period = { $field }: “{ $value }” không phải là kỳ hợp lệ (ví dụ 2022-H2, 2022-Q3, 2022-09, 2022).
err-as-of-before-from = { $field }: ngày tính số liệu { $value } trước ngày bắt đầu kỳ ({ $from }).
err-status = { $field }: “{ $value }” không phải là trạng thái (done_on_time, done_late, in_progress, overdue).
err-number = { $field }: “{ $value }” không phải là số hợp lệ.
err-range-pair = { $field }: cần cả ngày bắt đầu và ngày kết thúc.
err-stale-version = { $field }: nhiệm vụ đã được người khác sửa (phiên bản hiện tại { $current }).
err-json = { $field }: dữ liệu gửi lên không đúng định dạng JSON ({ $value }).

# Lỗi chung
error-unauthorized = Cần đăng nhập hoặc mã truy cập (token) hợp lệ.
error-forbidden = Bạn không có quyền thực hiện thao tác này.
error-not-found = Không tìm thấy.
error-conflict = Xung đột dữ liệu.
error-invalid = Dữ liệu không hợp lệ.
error-internal = Đã có lỗi phía máy chủ; thao tác chưa được thực hiện. Vui lòng thử lại.
error-unavailable = Cơ sở dữ liệu tạm thời không phản hồi.

# Tên trường
field-code = Mã đơn vị
field-name = Tên
field-parent = Đơn vị cấp trên
field-email = Thư điện tử
field-head-email = Thư điện tử của thủ trưởng
field-aliases = Tên gọi khác
field-ref = Số hiệu
field-content = Nội dung
field-lead-unit = Đơn vị chủ trì
field-coordinators = Đơn vị phối hợp
field-assigned-on = Ngày giao
field-deadline = Thời hạn
field-original-deadline = Thời hạn ban đầu
field-completed-on = Ngày hoàn thành
field-cancelled-on = Ngày hủy
field-expected-output = Sản phẩm dự kiến
field-title = Tên cuộc họp
field-unit = Đơn vị
field-password = Mật khẩu
field-role = Vai trò
field-period = Kỳ báo cáo
field-as-of = Ngày tính số liệu
field-from = Từ ngày
field-to = Đến ngày
field-status = Trạng thái
field-page = Trang
field-per-page = Số dòng mỗi trang
field-version = Phiên bản
field-organiser-unit = Đơn vị tổ chức
field-body = Nội dung gửi lên

# Trạng thái
status-done_on_time = Hoàn thành đúng hạn
status-done_late = Hoàn thành quá hạn
status-in_progress = Đang thực hiện trong hạn
status-overdue = Quá hạn

# Thư nhắc việc (đôn đốc) và lịch thời hạn
mail-subject-reminder = [Đôn đốc] { $count } nhiệm vụ cần chú ý ngày { $date }
mail-subject-digest = [Đôn đốc] Tổng hợp nhiệm vụ trong tuần, ngày { $date }
mail-greeting = Kính gửi { $name },
mail-head-of = Thủ trưởng { $unit }
mail-intro = Hệ thống Đôn đốc xin nhắc các nhiệm vụ sau (ngày { $date }):
mail-due-before = Còn { $days } ngày đến hạn (thời hạn { $deadline })
mail-due-today = Đến hạn hôm nay (thời hạn { $deadline })
mail-due-overdue = Quá hạn { $days } ngày (thời hạn { $deadline })
mail-escalation = Báo cáo lãnh đạo: { $unit } chưa hoàn thành, đã quá hạn { $days } ngày (thời hạn { $deadline })
mail-role-coordinator = Quý cơ quan là đơn vị phối hợp
mail-lead-unit = Đơn vị chủ trì
mail-deadline = Thời hạn
mail-no-deadline = Thường xuyên
mail-open-task = Xem nhiệm vụ
mail-report = Báo cáo tiến độ
mail-report-note = Liên kết “Báo cáo tiến độ” mở được biểu mẫu báo cáo không cần mật khẩu, dùng đến ngày { $date }.
mail-digest-title = Tổng hợp nhiệm vụ của { $unit }
mail-digest-overdue = Quá hạn ({ $count })
mail-digest-due-soon = Sắp đến hạn ({ $count })
mail-digest-open = Đang thực hiện ({ $count })
mail-digest-more = … và { $count } nhiệm vụ khác
mail-digest-all = Xem tất cả nhiệm vụ của đơn vị
mail-footer = Thư được gửi tự động từ hệ thống Đôn đốc; xin không trả lời thư này.
ics-calendar-name = Thời hạn nhiệm vụ — { $unit }
ics-role-lead = đơn vị chủ trì
ics-role-coordinator = { $unit } (đơn vị phối hợp)
err-mail-not-dead = { $field }: thư này không nằm trong danh sách gửi lỗi nên không gửi lại được.

# Trang
app-name = Đôn đốc
app-tagline = Theo dõi thực hiện kết luận, chỉ đạo
login-title = Đăng nhập
login-email = Thư điện tử
login-password = Mật khẩu
login-submit = Đăng nhập
lang-switch = English
skip-to-content = Chuyển đến nội dung chính
nav-language = Ngôn ngữ
