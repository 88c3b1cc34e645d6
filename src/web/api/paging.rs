//! One shape for every paginated list of the API: `{items, total, page,
//! per_page}` and an RFC 8288 `Link` header to the first, previous, next and
//! last pages.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::storage::tasks::{Page, PageRequest};

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageJson<T> {
    pub items: Vec<T>,
    /// How many entries match, over all pages.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> From<Page<T>> for PageJson<T> {
    fn from(p: Page<T>) -> PageJson<T> {
        PageJson {
            items: p.items,
            total: p.total,
            page: p.page,
            per_page: p.per_page,
        }
    }
}

/// The requested page of a whole list (for the short lists read at once: a
/// task's reports, its requests, its history, the closes, the users).
pub fn slice<T>(all: Vec<T>, request: PageRequest) -> PageJson<T> {
    let total = all.len() as i64;
    let skip = (request.page - 1).saturating_mul(request.per_page);
    let items = all
        .into_iter()
        .skip(usize::try_from(skip).unwrap_or(usize::MAX))
        .take(usize::try_from(request.per_page).unwrap_or(usize::MAX))
        .collect();
    PageJson {
        items,
        total,
        page: request.page,
        per_page: request.per_page,
    }
}

/// The page as JSON, with its `Link` header.
pub fn respond<T: Serialize>(req: &HttpRequest, page: impl Into<PageJson<T>>) -> HttpResponse {
    let page = page.into();
    let mut res = HttpResponse::Ok();
    if let Some(links) = links(req, page.page, page.per_page, page.total) {
        res.insert_header((header::LINK, links));
    }
    res.json(page)
}

/// `<…?page=1&per_page=50>; rel="first", …`: the request's own query with
/// another page; none when the page size is unknown.
fn links(req: &HttpRequest, page: i64, per_page: i64, total: i64) -> Option<String> {
    if per_page < 1 {
        return None;
    }
    let kept: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(k, _)| k != "page" && k != "per_page")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let url = |p: i64| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &kept {
            q.append_pair(k, v);
        }
        q.append_pair("page", &p.to_string());
        q.append_pair("per_page", &per_page.to_string());
        format!("<{}?{}>", req.path(), q.finish())
    };
    let last = ((total + per_page - 1) / per_page).max(1);
    let mut parts = vec![format!("{}; rel=\"first\"", url(1))];
    if page > 1 {
        parts.push(format!("{}; rel=\"prev\"", url((page - 1).min(last))));
    }
    if page < last {
        parts.push(format!("{}; rel=\"next\"", url(page + 1)));
    }
    parts.push(format!("{}; rel=\"last\"", url(last)));
    Some(parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slice_says_how_many_in_all() {
        let p = slice(
            (1..=7).collect::<Vec<i32>>(),
            PageRequest {
                page: 2,
                per_page: 3,
            },
        );
        assert_eq!((p.items, p.total, p.page), (vec![4, 5, 6], 7, 2));
        let past = slice(
            (1..=7).collect::<Vec<i32>>(),
            PageRequest {
                page: 9,
                per_page: 3,
            },
        );
        assert!(past.items.is_empty());
        assert_eq!(past.total, 7);
    }

    #[test]
    fn links_keep_the_query_and_name_the_neighbours() {
        let req = actix_web::test::TestRequest::get()
            .uri("/api/v1/tasks?status=overdue&page=2&per_page=2")
            .to_http_request();
        let links = links(&req, 2, 2, 5).expect("links");
        assert_eq!(
            links,
            "</api/v1/tasks?status=overdue&page=1&per_page=2>; rel=\"first\", \
             </api/v1/tasks?status=overdue&page=1&per_page=2>; rel=\"prev\", \
             </api/v1/tasks?status=overdue&page=3&per_page=2>; rel=\"next\", \
             </api/v1/tasks?status=overdue&page=3&per_page=2>; rel=\"last\""
        );
        let first = links_for_first(&req);
        assert!(!first.contains("rel=\"prev\""), "{first}");
    }

    fn links_for_first(req: &HttpRequest) -> String {
        links(req, 1, 2, 1).expect("links")
    }
}
