//! `Authorization: Bearer <token>` for the admin API, `/metrics` and the console's turns. The
//! scheme name is case-insensitive (RFC 9110 §11.1), the token is compared in constant time.

use crate::config::Secret;
use axum::http::{HeaderMap, header};
use subtle::ConstantTimeEq;

/// The bearer token a request carries, if any.
pub fn token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|token| !token.is_empty())
}

/// Whether the request carries `expected` as its bearer token.
pub fn carries(headers: &HeaderMap, expected: &Secret) -> bool {
    token(headers).is_some_and(|given| bool::from(given.as_bytes().ct_eq(expected.expose().as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, value.parse().unwrap());
        headers
    }

    #[test]
    fn the_scheme_is_case_insensitive_and_the_token_must_match() {
        let secret = Secret::new("s3cret");
        for value in ["Bearer s3cret", "bearer s3cret", "BEARER s3cret"] {
            assert!(carries(&headers(value), &secret), "{value}");
        }
        for value in ["Bearer other", "Basic s3cret", "Bearer", "Bearer ", "s3cret"] {
            assert!(!carries(&headers(value), &secret), "{value}");
        }
        assert!(!carries(&HeaderMap::new(), &secret));
    }
}
