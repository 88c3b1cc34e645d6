//! Who may call a route: the shape the page table (`web/pages/routes.rs`) and
//! the API's route table (`web/api/mod.rs`) share, and the lookup of the
//! action a matched route needs.

use actix_web::HttpRequest;

use crate::domain::Action;

/// Who may open a page or call an API route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    /// Signed in, with a role that may do this.
    Signed(Action),
}

/// A route table: (method, path pattern, access).
pub type Routes = &'static [(&'static str, &'static str, Access)];

/// The action `routes` names for the request's matched route, its pattern
/// read without `prefix`; `None` for a public route or one not in the table.
pub fn required_action(routes: Routes, req: &HttpRequest, prefix: &str) -> Option<Action> {
    let pattern = req.match_pattern()?;
    let path = pattern.strip_prefix(prefix).unwrap_or(&pattern);
    let method = req.method().as_str();
    routes.iter().find_map(|(m, p, access)| match access {
        Access::Signed(action) if *m == method && *p == path => Some(*action),
        _ => None,
    })
}
