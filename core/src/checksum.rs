//! Checksums that do not change with line endings, and the digest of a whole set.

#[cfg(feature = "load")]
use sha2::{Digest, Sha256};
use std::borrow::Cow;
#[cfg(feature = "load")]
use std::fmt::Write;

/// The algorithm prefix of every checksum strata writes, so that a future change of algorithm is
/// detectable rather than a mass mismatch.
pub const CHECKSUM_PREFIX: &str = "sha256:";

/// Whether `text` is a checksum as strata writes it: `sha256:` and 64 lower-case hex digits.
///
/// ```
/// assert!(strata_core::is_checksum(&strata_core::checksum("SELECT 1;")));
/// assert!(!strata_core::is_checksum("sha256:ABC"));
/// ```
pub fn is_checksum(text: &str) -> bool {
    text.strip_prefix(CHECKSUM_PREFIX)
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

/// Strips a UTF-8 byte order mark and turns CRLF and lone CR into LF, so that the same migration
/// has the same text (and checksum, and line numbers) on every checkout.
pub fn normalize(text: &str) -> Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') { Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n")) } else { Cow::Borrowed(text) }
}

#[cfg(feature = "load")]
/// The checksum of a script: `sha256:` and the lower-case hex SHA-256 of its normalised text.
///
/// ```
/// let lf = strata_core::checksum("CREATE TABLE a(x);\n");
/// assert_eq!(lf, strata_core::checksum("\u{feff}CREATE TABLE a(x);\r\n"));
/// assert!(lf.starts_with("sha256:"));
/// ```
pub fn checksum(script: &str) -> String {
    hex_digest(normalize(script).as_bytes())
}

#[cfg(feature = "load")]
/// The digest of a whole set: one value that changes when any migration is added, removed,
/// reordered or edited, so that a no-op start-up check is one comparison.
///
/// It covers each migration's version and checksum, in application order.
pub fn set_digest<'a>(migrations: impl IntoIterator<Item = (i64, &'a str)>) -> String {
    let mut hasher = Sha256::new();
    for (version, checksum) in migrations {
        hasher.update(version.to_string().as_bytes());
        hasher.update(b" ");
        hasher.update(checksum.as_bytes());
        hasher.update(b"\n");
    }
    prefixed_hex(&hasher.finalize())
}

#[cfg(feature = "load")]
fn hex_digest(bytes: &[u8]) -> String {
    prefixed_hex(&Sha256::digest(bytes))
}

#[cfg(feature = "load")]
fn prefixed_hex(digest: &[u8]) -> String {
    let mut out = String::with_capacity(CHECKSUM_PREFIX.len() + digest.len() * 2);
    out.push_str(CHECKSUM_PREFIX);
    for byte in digest {
        // Writing to a String cannot fail.
        let _ = write!(out, "{byte:02x}");
    }
    out
}

#[cfg(all(test, feature = "load"))]
mod tests {
    use super::*;

    #[test]
    fn a_checksum_is_the_prefix_and_64_lower_hex_digits() {
        let hex = "0123456789abcdef".repeat(4);
        assert!(is_checksum(&format!("sha256:{hex}")));
        for bad in [
            hex.clone(),
            format!("sha256:{}", hex.to_uppercase()),
            format!("sha384:{hex}"),
            format!("sha256:{}", &hex[1..]),
            format!("sha256:{hex}0"),
            format!("sha256:{}g", &hex[1..]),
            "sha256:".to_owned(),
        ] {
            assert!(!is_checksum(&bad), "{bad}");
        }
    }

    #[test]
    fn line_endings_and_bom_do_not_change_the_checksum() {
        let lf = "CREATE TABLE a(x);\nINSERT INTO a VALUES (1);\n";
        let crlf = lf.replace('\n', "\r\n");
        let cr = lf.replace('\n', "\r");
        let bom = format!("\u{feff}{crlf}");
        for copy in [crlf.as_str(), cr.as_str(), bom.as_str()] {
            assert_eq!(checksum(copy), checksum(lf));
        }
        assert_ne!(checksum(lf), checksum("CREATE TABLE a(y);\n"));
    }

    #[test]
    fn checksum_is_prefixed_lower_hex_sha256() {
        assert_eq!(checksum(""), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn set_digest_depends_on_order_versions_and_checksums() {
        let base = set_digest([(1, "sha256:a"), (2, "sha256:b")]);
        assert_eq!(base, set_digest([(1, "sha256:a"), (2, "sha256:b")]));
        assert_ne!(base, set_digest([(2, "sha256:b"), (1, "sha256:a")]));
        assert_ne!(base, set_digest([(1, "sha256:a"), (3, "sha256:b")]));
        assert_ne!(base, set_digest([(1, "sha256:a"), (2, "sha256:c")]));
        assert_ne!(base, set_digest([(1, "sha256:a")]));
    }
}
