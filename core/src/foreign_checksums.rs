//! The checksums other tools store for a migration, computed the way each computes its own, so
//! that taking over their history can check that the files are the ones they ran. Each is of
//! the file as read from disk: a byte order mark or CRLF that strata's own checksum ignores
//! changes theirs.

/// What sqlx, refinery and Flyway each store of one migration's up script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ForeignChecksums {
    /// sqlx: the SHA-384 of the file's bytes.
    pub sqlx: [u8; 48],
    /// refinery: SipHash-1-3 (keys 0) of its name, version and SQL, with the version an `i32`
    /// (refinery's default).
    pub refinery: u64,
    /// refinery with its `int8-versions` feature: the same with the version an `i64`.
    pub refinery_int8: u64,
    /// Flyway: the CRC32 of the file's lines without their line breaks, the first line's byte
    /// order mark removed, as the signed 32-bit number it stores.
    pub flyway: i32,
}

impl ForeignChecksums {
    /// What `embed_migrations!` expands to. Not part of the public interface: exempt from
    /// semver, for strata's own macro only.
    #[doc(hidden)]
    pub const fn __embedded(sqlx: [u8; 48], refinery: u64, refinery_int8: u64, flyway: i32) -> Self {
        Self { sqlx, refinery, refinery_int8, flyway }
    }

    /// The checksums of the up script `file_text` (the file as read, not normalised) of the
    /// migration `version` named `name` (what follows the version and its separator).
    ///
    /// ```
    /// let sql = "CREATE TABLE a(x);\n";
    /// let checksums = strata_core::ForeignChecksums::of(sql, 1, "init");
    /// assert_ne!(checksums, strata_core::ForeignChecksums::of("CREATE TABLE a(x);\r\n", 1, "init"));
    /// assert_eq!(checksums.sqlx_hex().len(), 96);
    /// ```
    #[cfg(feature = "load")]
    pub fn of(file_text: &str, version: i64, name: &str) -> Self {
        use sha2::{Digest, Sha384};
        use std::hash::Hasher;
        // What refinery's `name.hash(h); version.hash(h); sql.hash(h)` feeds SipHash-1-3: a
        // `str` is its bytes and 0xff; a version its little-endian bytes (every machine
        // refinery runs on is little-endian).
        let refinery = |version: &[u8]| {
            let mut hasher = siphasher::sip::SipHasher13::new_with_keys(0, 0);
            for part in [name.as_bytes(), &[0xff], version, file_text.as_bytes(), &[0xff]] {
                hasher.write(part);
            }
            hasher.finish()
        };
        // A version beyond `i32` is one refinery could not have written that way: any value
        // does.
        let narrow = i32::try_from(version).unwrap_or_default();
        // Flyway reads lines without their breaks and hashes them end to end.
        let text = file_text.strip_prefix('\u{feff}').unwrap_or(file_text);
        let mut crc = crc32fast::Hasher::new();
        for line in text.split(['\r', '\n']) {
            crc.update(line.as_bytes());
        }
        Self {
            sqlx: Sha384::digest(file_text.as_bytes()).into(),
            refinery: refinery(&narrow.to_le_bytes()),
            refinery_int8: refinery(&version.to_le_bytes()),
            // Flyway stores Java's `(int) crc32.getValue()`: the same bits, signed.
            flyway: i32::from_ne_bytes(crc.finalize().to_ne_bytes()),
        }
    }

    /// sqlx's checksum in lower-case hex, as it is compared with a row's.
    pub fn sqlx_hex(&self) -> String {
        self.sqlx.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

#[cfg(all(test, feature = "load"))]
mod tests {
    use super::ForeignChecksums;

    /// The values the real tools stored for these files: sqlx 0.8.6 and 0.9.1, refinery 0.8.16
    /// and 0.10.0 (with and without `int8-versions`), on SQLite; Flyway's from its own
    /// `ChecksumCalculator` (13.0.0) compiled here, Flyway itself needing Maven Central.
    #[test]
    fn each_is_what_its_tool_stores() {
        let files = [
            (1, "init", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"),
            (2, "add_email", "-- a comment\r\nALTER TABLE users ADD COLUMN email TEXT;\r\n"),
            (3, "index", "\u{feff}CREATE INDEX users_name ON users(name);"),
        ];
        let stored = [
            (
                "9378E190639DF961241B5A661BBFDA7754E3247AD1E3F11BBF00346BCE46C7F80B13D5DF78E4FD035183E051281CFC2E",
                13375844083937056905,
                7494178702271511485,
                51675886,
            ),
            (
                "248EC210151C26D8D97AA720A5A38A5E814F8BCC227E89A052973B8D0823673DA1A6E7AE7AF3CC8921928D33B2157820",
                4196270117440398954,
                13646784484243934899,
                641462687,
            ),
            (
                "BE88AF1C96BFB5C869B397AA82DF100E3923C7A445F5ADC8D606316D32CBB3E2E6ADE6BA46C9AC53F82F0B82C6205A51",
                3070383476047367275,
                16184138737460627677,
                1732725567,
            ),
        ];
        for ((version, name, text), (sqlx, refinery, refinery_int8, flyway)) in files.into_iter().zip(stored) {
            let ours = ForeignChecksums::of(text, version, name);
            assert_eq!(ours.sqlx_hex(), sqlx.to_lowercase(), "{name}");
            assert_eq!((ours.refinery, ours.refinery_int8, ours.flyway), (refinery, refinery_int8, flyway), "{name}");
        }
    }

    #[test]
    fn flyway_ignores_line_breaks_and_a_leading_byte_order_mark_only() {
        let flyway = |text: &str| ForeignChecksums::of(text, 1, "a").flyway;
        assert_eq!(flyway("a\nb\n"), flyway("\u{feff}a\r\nb"));
        assert_ne!(flyway("a b"), flyway("ab"));
        assert_ne!(flyway("a\u{feff}"), flyway("a"));
    }
}
