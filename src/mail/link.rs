//! Signed, expiring links that open one task's progress-report form for one
//! unit without a password.
//!
//! A token is `v2.{link}.{task}.{unit}.{expires}.{signature}`: the id of the
//! stored link (`storage::report_links`, which can be revoked), the task and
//! unit ids, the expiry (Unix seconds, UTC) and the hex HMAC-SHA256 of
//! `report-link:v2:{link}:{task}:{unit}:{expires}` under the app's secret key.
//! Changing any part breaks the signature; changing the secret key revokes
//! every link. A valid signature is not enough: the stored link must be live,
//! and the task still open for that unit.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const VERSION: &str = "v2";

/// How long a link in a reminder stays valid at most.
pub const VALID_DAYS: i64 = 14;

/// What a valid token grants: reporting on this task for this unit, until `expires_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportLink {
    /// The stored link.
    pub id: i64,
    pub task_id: i64,
    pub unit_id: i64,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the link is not a report link")]
    Malformed,
    #[error("the link's signature does not match")]
    BadSignature,
    #[error("the link has expired")]
    Expired,
}

fn mac(secret: &str, id: i64, task_id: i64, unit_id: i64, expires: i64) -> HmacSha256 {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(format!("report-link:{VERSION}:{id}:{task_id}:{unit_id}:{expires}").as_bytes());
    mac
}

/// A token for stored link `id`, for `task_id` and `unit_id`, valid until `expires_at`.
pub fn sign(
    secret: &str,
    id: i64,
    task_id: i64,
    unit_id: i64,
    expires_at: DateTime<Utc>,
) -> String {
    let expires = expires_at.timestamp();
    let signature = hex::encode(
        mac(secret, id, task_id, unit_id, expires)
            .finalize()
            .into_bytes(),
    );
    format!("{VERSION}.{id}.{task_id}.{unit_id}.{expires}.{signature}")
}

/// Checks a token's signature (in constant time) and expiry as of `now`.
pub fn verify(secret: &str, token: &str, now: DateTime<Utc>) -> Result<ReportLink, LinkError> {
    let parts: Vec<&str> = token.trim().split('.').collect();
    let [version, id, task, unit, expires, signature] = parts.as_slice() else {
        return Err(LinkError::Malformed);
    };
    if *version != VERSION {
        return Err(LinkError::Malformed);
    }
    let number = |s: &str| -> Result<i64, LinkError> {
        if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(LinkError::Malformed);
        }
        s.parse().map_err(|_| LinkError::Malformed)
    };
    let (id, task_id, unit_id, expires) =
        (number(id)?, number(task)?, number(unit)?, number(expires)?);
    let signature = hex::decode(signature).map_err(|_| LinkError::Malformed)?;
    mac(secret, id, task_id, unit_id, expires)
        .verify_slice(&signature)
        .map_err(|_| LinkError::BadSignature)?;
    let expires_at = DateTime::<Utc>::from_timestamp(expires, 0).ok_or(LinkError::Malformed)?;
    if now >= expires_at {
        return Err(LinkError::Expired);
    }
    Ok(ReportLink {
        id,
        task_id,
        unit_id,
        expires_at,
    })
}

/// The address of the report form a token opens.
pub fn report_url(base_url: &str, task_id: i64, token: &str) -> String {
    format!("{base_url}/tasks/{task_id}/report?t={token}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    const KEY: &str = "a-secret-key-of-the-app-that-is-long-enough-0123456789";

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn a_signed_link_verifies_until_it_expires() {
        let now = at("2022-12-24T08:00:00Z");
        let token = sign(KEY, 3, 42, 7, now + Duration::days(VALID_DAYS));
        let link = verify(KEY, &token, now).expect("valid");
        assert_eq!((link.id, link.task_id, link.unit_id), (3, 42, 7));
        assert_eq!(link.expires_at, now + Duration::days(VALID_DAYS));
        assert!(verify(
            KEY,
            &token,
            now + Duration::days(VALID_DAYS) - Duration::seconds(1)
        )
        .is_ok());
        assert_eq!(
            verify(KEY, &token, now + Duration::days(VALID_DAYS)),
            Err(LinkError::Expired)
        );
    }

    #[test]
    fn the_link_is_scoped_to_its_task_and_unit() {
        let now = at("2022-12-24T08:00:00Z");
        let token = sign(KEY, 3, 42, 7, now + Duration::days(1));
        let parts: Vec<&str> = token.split('.').collect();
        let other_link = format!("v2.4.42.7.{}.{}", parts[4], parts[5]);
        let other_task = format!("v2.3.43.7.{}.{}", parts[4], parts[5]);
        let other_unit = format!("v2.3.42.8.{}.{}", parts[4], parts[5]);
        let later = format!(
            "v2.3.42.7.{}.{}",
            parts[4].parse::<i64>().expect("n") + 86400,
            parts[5]
        );
        for forged in [other_link, other_task, other_unit, later] {
            assert_eq!(
                verify(KEY, &forged, now),
                Err(LinkError::BadSignature),
                "{forged}"
            );
        }
    }

    #[test]
    fn another_key_does_not_verify() {
        let now = at("2022-12-24T08:00:00Z");
        let token = sign(KEY, 9, 1, 2, now + Duration::days(1));
        assert_eq!(
            verify("another-key", &token, now),
            Err(LinkError::BadSignature)
        );
    }

    #[test]
    fn malformed_tokens() {
        let now = at("2022-12-24T08:00:00Z");
        let good = sign(KEY, 9, 1, 2, now + Duration::days(1));
        let parts: Vec<&str> = good.split('.').collect();
        for bad in [
            "".to_string(),
            "v2".to_string(),
            "v2.9.1.2.3".to_string(),
            good.replacen("v2", "v1", 1),
            // A link of the first version, without a stored id, is no longer accepted.
            format!("v1.1.2.{}.{}", parts[4], parts[5]),
            format!("v2.9.-1.2.{}.{}", parts[4], parts[5]),
            format!("v2.9.1.2.{}.zz", parts[4]),
            format!("v2.9.1.2.99999999999999999999.{}", parts[5]),
            format!("{good}.x"),
        ] {
            assert_eq!(verify(KEY, &bad, now), Err(LinkError::Malformed), "{bad}");
        }
        // A truncated signature is a wrong signature, not an accepted prefix.
        let short = &good[..good.len() - 2];
        assert_eq!(verify(KEY, short, now), Err(LinkError::BadSignature));
    }

    #[test]
    fn report_url_form() {
        assert_eq!(
            report_url("https://dondoc.example.vn", 5, "v2.1.5.2.3.ab"),
            "https://dondoc.example.vn/tasks/5/report?t=v2.1.5.2.3.ab"
        );
    }
}
