# Phones: a report's photo from the camera.
phone-photo = Take a photo with the camera
phone-photo-hint = On a phone: photograph the minutes, a document or the result to send with the report (instead of an attachment).
field-photo = Photo
phone-err-one-file = { $field }: a report carries one file; choose an attachment or a photo, not both.
