# Input errors. $field is the translated field name.
err-required = { $field }: must not be empty.
err-date = { $field }: “{ $value }” is not a valid date (dd/mm/yyyy or YYYY-MM-DD).
err-too-long = { $field }: too long (at most { $max } characters).
err-unit-code = { $field }: the code “{ $value }” may only hold unaccented letters, digits, dashes, underscores and dots (at most 32).
err-email = { $field }: “{ $value }” is not a valid email address.
err-unit-own-parent = { $field }: a unit cannot be its own parent.
err-unit-cycle = { $field }: the parent links form a loop.
err-unknown-unit = { $field }: there is no unit with the code “{ $value }”.
err-unit-user-needs-unit = { $field }: a unit account must belong to a unit.
err-email-taken = { $field }: this email address is already used by another account.
err-reference = { $field }: a reference has at most { $max } characters and no control characters.
err-reference-taken = { $field }: a task with this reference already exists.
err-before-assigned = { $field }: { $value } is before the assignment date ({ $assigned }).
err-in-future = { $field }: { $value } has not come yet.
err-original-without-deadline = { $field }: an original deadline needs a current deadline.
err-lead-coordinates = { $field }: the lead unit { $value } cannot also coordinate.
err-duplicate-in-file = { $field }: “{ $value }” already appears on line { $line }.
err-password-short = { $field }: the password needs at least { $min } characters.
err-period = { $field }: “{ $value }” is not a period (e.g. 2022-H2, 2022-Q3, 2022-09, 2022).
err-as-of-before-from = { $field }: the as-of date { $value } is before the period starts ({ $from }).
err-status = { $field }: “{ $value }” is not a status (done_on_time, done_late, in_progress, overdue).
err-number = { $field }: “{ $value }” is not a valid number.
err-range-pair = { $field }: both a start and an end date are needed.
err-stale-version = { $field }: someone else changed this task (current version { $current }).
err-json = { $field }: the request body is not valid JSON ({ $value }).

# General errors
error-unauthorized = Sign in or send a valid API token.
error-forbidden = You may not do this.
error-not-found = Not found.
error-conflict = Conflicting data.
error-invalid = Invalid data.
error-internal = Something went wrong on the server; nothing was changed. Please try again.
error-unavailable = The database does not answer right now.

# Field names
field-code = Unit code
field-name = Name
field-parent = Parent unit
field-email = Email
field-head-email = Unit head's email
field-aliases = Other names
field-ref = Reference
field-content = Content
field-lead-unit = Lead unit
field-coordinators = Coordinating units
field-assigned-on = Assigned on
field-deadline = Deadline
field-original-deadline = Original deadline
field-completed-on = Completed on
field-cancelled-on = Cancelled on
field-expected-output = Expected output
field-title = Meeting title
field-unit = Unit
field-password = Password
field-role = Role
field-period = Period
field-as-of = As of
field-from = From
field-to = To
field-status = Status
field-page = Page
field-per-page = Rows per page
field-version = Version
field-organiser-unit = Organising unit
field-body = Request body

# Statuses
status-done_on_time = Done on time
status-done_late = Done late
status-in_progress = In progress, on time
status-overdue = Overdue

# Reminder mails and the deadline calendar
mail-subject-reminder = [Dondoc] Tasks needing attention on { $date }: { $count }
mail-subject-digest = [Dondoc] Weekly task summary, { $date }
mail-greeting = Dear { $name },
mail-head-of = Head of { $unit }
mail-intro = Dondoc reminds you of these tasks (as of { $date }):
mail-due-before = Due in { $days } days (deadline { $deadline })
mail-due-today = Due today (deadline { $deadline })
mail-due-overdue = Overdue by { $days } days (deadline { $deadline })
mail-escalation = For your attention: { $unit } has not completed this task, overdue by { $days } days (deadline { $deadline })
mail-role-coordinator = your unit coordinates
mail-lead-unit = Lead unit
mail-deadline = Deadline
mail-no-deadline = Ongoing
mail-open-task = Open the task
mail-report = Report progress
mail-report-note = The “Report progress” links open the report form without a password until { $date }.
mail-digest-title = Tasks of { $unit }
mail-digest-overdue = Overdue ({ $count })
mail-digest-due-soon = Due soon ({ $count })
mail-digest-open = In progress ({ $count })
mail-digest-more = … and { $count } more
mail-digest-all = See all of the unit's tasks
mail-footer = Sent automatically by Dondoc; please do not reply to this mail.
ics-calendar-name = Task deadlines — { $unit }
ics-role-lead = lead unit
ics-role-coordinator = { $unit } (your unit coordinates)
err-mail-not-dead = { $field }: this mail is not a dead letter, so it cannot be sent again.

# Pages
app-name = Dondoc
app-tagline = Tracking meeting conclusions to completion
login-title = Sign in
login-email = Email
login-password = Password
login-submit = Sign in
lang-switch = Tiếng Việt
skip-to-content = Skip to main content
nav-language = Language
