# Phones: a report's photo from the camera.
phone-photo = Chụp ảnh bằng máy ảnh
phone-photo-hint = Trên điện thoại: chụp biên bản, văn bản hoặc kết quả để gửi kèm báo cáo (thay cho tệp đính kèm).
field-photo = Ảnh chụp
phone-err-one-file = { $field }: mỗi báo cáo gửi kèm một tệp; hãy chọn tệp đính kèm hoặc ảnh chụp, không cả hai.
