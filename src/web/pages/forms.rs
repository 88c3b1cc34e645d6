//! What the unit pickers of the forms send, read the same way by the meeting
//! and task forms: codes ticked one per box or typed in one field.

/// Codes typed as "VPTU, TUPL" or "VPTU TUPL" in the `|` list form of the CSV rules.
pub(super) fn codes_list(typed: &str) -> String {
    typed
        .split(|c: char| c == ',' || c == ';' || c == '|' || c.is_whitespace())
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join("|")
}

/// The codes of a unit picker (one value per ticked box, or codes typed in
/// one field by an older page or a client), as "VPTU, TUPL".
pub(super) fn picked_codes(values: &[String]) -> String {
    codes_list(&values.join(" ")).replace('|', ", ")
}

/// A url-encoded form read into `T`. Unlike actix's `web::Form`
/// (serde_urlencoded), a field sent once per ticked box (a unit picker) reads
/// into a `Vec`; the body is limited like every form's (`PayloadConfig`).
pub struct Form<T>(pub T);

impl<T: serde::de::DeserializeOwned + 'static> actix_web::FromRequest for Form<T> {
    type Error = actix_web::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(
        req: &actix_web::HttpRequest,
        payload: &mut actix_web::dev::Payload,
    ) -> Self::Future {
        let body = actix_web::web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body.await?;
            serde_html_form::from_bytes(&body)
                .map(Form)
                .map_err(actix_web::error::ErrorBadRequest)
        })
    }
}

impl<T> Form<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}
