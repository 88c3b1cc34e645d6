//! The page table: every page's method, path, handler and the access it
//! needs, in one list that both registers the routes and is checked by
//! [`PageUser`](super::frame::PageUser) (and walked by the role tests).

use actix_web::http::Method;
use actix_web::web;

use super::frame::PageTable;
use super::{admin, auth, browse, dashboard, documents, editing, holidays, inbox};
use super::{meeting_new, task_page, work};
use crate::domain::Action;
use crate::web::access::Access;

/// Registers each page and lists it in [`PAGES`] with the access it needs; the
/// [`PageUser`](super::frame::PageUser) extractor enforces the table.
macro_rules! page_routes {
    ($( $method:ident $path:literal => $handler:path, $access:expr ),* $(,)?) => {
        /// Every page: (method, path, access).
        pub const PAGES: &[(&str, &str, Access)] = &[$( (stringify!($method), $path, $access) ),*];

        /// Registers every page, and the table for [`PageUser`](super::frame::PageUser) to check.
        pub fn register(cfg: &mut web::ServiceConfig) {
            cfg.app_data(PageTable(PAGES));
            $( cfg.route($path, web::method(Method::$method).to($handler)); )*
        }
    };
}

use Access::{Public, Signed};
use Action::*;

page_routes! {
    GET "/" => browse::home, Public,
    GET "/login" => auth::login_form, Public,
    POST "/login" => auth::login, Public,
    POST "/logout" => auth::logout, Signed(Read),
    POST "/lang/{code}" => auth::switch_lang, Public,
    GET "/account/password" => auth::password_form, Signed(Read),
    POST "/account/password" => auth::change_password, Signed(Read),
    GET "/account" => auth::account, Signed(Read),
    POST "/account/sessions/end" => auth::end_all_sessions, Signed(Read),
    POST "/account/sessions/{id}/end" => auth::end_session, Signed(Read),
    POST "/account/tokens" => auth::create_token, Signed(Read),
    POST "/account/tokens/{id}/revoke" => auth::revoke_token, Signed(Read),
    GET "/inbox" => inbox::inbox, Signed(Read),
    GET "/inbox/mail/{id}" => inbox::mail, Signed(Read),
    GET "/dashboard" => dashboard::dashboard, Signed(Read),
    GET "/dashboard/print" => dashboard::print, Signed(Read),
    GET "/dashboard/export.csv" => dashboard::report_csv, Signed(Read),
    GET "/dashboard/export.xlsx" => dashboard::report_xlsx, Signed(Read),
    GET "/dashboard/tasks" => dashboard::tasks, Signed(Read),
    GET "/dashboard/tasks.csv" => dashboard::tasks_csv, Signed(Read),
    GET "/dashboard/tasks.xlsx" => dashboard::tasks_xlsx, Signed(Read),
    GET "/dashboard/report.docx" => documents::report_docx, Signed(Read),
    POST "/dashboard/close" => dashboard::close, Signed(ClosePeriod),
    POST "/dashboard/reopen" => dashboard::reopen, Signed(ClosePeriod),
    GET "/tasks" => browse::tasks, Signed(Read),
    GET "/tasks/new" => editing::new_task, Signed(EditTasks),
    POST "/tasks/new" => editing::post_new_task, Signed(EditTasks),
    GET "/tasks/{id}" => task_page::task, Signed(Read),
    GET "/tasks/{id}/edit" => editing::edit_task, Signed(EditTasks),
    POST "/tasks/{id}/edit" => editing::post_edit_task, Signed(EditTasks),
    POST "/tasks/{id}/cancel" => editing::cancel_task, Signed(EditTasks),
    POST "/tasks/{id}/complete" => editing::complete_task, Signed(ConfirmCompletion),
    POST "/tasks/{id}/reports" => work::add_report, Signed(ReportProgress),
    POST "/tasks/{id}/extensions" => work::request_extension, Signed(RequestExtension),
    POST "/reports/{id}/return" => work::return_proposal, Signed(ConfirmCompletion),
    POST "/extensions/{id}/approve" => work::approve_extension, Signed(DecideExtensions),
    POST "/extensions/{id}/reject" => work::reject_extension, Signed(DecideExtensions),
    GET "/attachments/{id}" => work::attachment, Signed(Read),
    POST "/report-links/{id}/revoke" => work::revoke_link, Signed(RevokeReportLinks),
    GET "/tasks/{id}/report" => work::link_form, Public,
    POST "/tasks/{id}/report" => work::link_report, Public,
    GET "/meetings" => browse::meetings, Signed(Read),
    GET "/meetings/new" => meeting_new::new_meeting, Signed(RecordMeetings),
    POST "/meetings/new" => meeting_new::post_new_meeting, Signed(RecordMeetings),
    GET "/meetings/{id}" => browse::meeting, Signed(Read),
    GET "/meetings/{id}/documents/{doc}" => meeting_new::download_document, Signed(Read),
    GET "/meetings/{id}/edit" => editing::edit_meeting, Signed(RecordMeetings),
    POST "/meetings/{id}/edit" => editing::post_edit_meeting, Signed(RecordMeetings),
    GET "/meetings/{id}/tasks.docx" => documents::meeting_docx, Signed(Read),
    GET "/meetings/{id}/tasks.xlsx" => documents::meeting_xlsx, Signed(Read),
    GET "/units" => browse::units, Signed(Read),
    POST "/units/feed" => browse::new_feed, Signed(Read),
    GET "/admin" => admin::index, Signed(ManageUsers),
    GET "/admin/users" => admin::users, Signed(ManageUsers),
    POST "/admin/users" => admin::add_user, Signed(ManageUsers),
    POST "/admin/users/{id}" => admin::update_user, Signed(ManageUsers),
    POST "/admin/users/{id}/password" => admin::reset_password, Signed(ManageUsers),
    GET "/admin/units" => admin::units, Signed(ManageUnits),
    POST "/admin/units" => admin::save_unit, Signed(ManageUnits),
    POST "/admin/units/import" => admin::import_units, Signed(ManageUnits),
    GET "/admin/tokens" => admin::tokens, Signed(ManageTokens),
    POST "/admin/tokens/{id}/revoke" => admin::revoke_token, Signed(ManageTokens),
    GET "/admin/audit" => admin::audit, Signed(ReadAuditLog),
    GET "/admin/mail" => admin::mail, Signed(ManageSettings),
    POST "/admin/mail/{id}/send" => admin::send_again, Signed(ManageSettings),
    GET "/admin/report" => documents::settings, Signed(ManageSettings),
    POST "/admin/report" => documents::save_settings, Signed(ManageSettings),
    GET "/admin/holidays" => holidays::list, Signed(ManageSettings),
    POST "/admin/holidays" => holidays::add, Signed(ManageSettings),
    POST "/admin/holidays/{day}/remove" => holidays::remove, Signed(ManageSettings),
}
