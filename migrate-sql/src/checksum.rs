//! The checksum that detects an applied migration whose source was edited afterwards.
//!
//! It is FNV-1a over 64 bits: fully specified, so a checksum computed by one compiler release
//! equals the one computed by the next (unlike `std`'s `DefaultHasher`), and a few lines long.
//! It is not a defence against an adversary; it only needs to notice edits.

use std::fmt;

/// A 64-bit FNV-1a checksum, shown as 16 lower-case hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Checksum(pub u64);

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

impl Checksum {
    /// The checksum of `bytes`.
    ///
    /// ```
    /// use migrate_sql::Checksum;
    /// assert_eq!(Checksum::of(b"a").to_string(), "af63dc4c8601ec8c");
    /// ```
    pub const fn of(bytes: &[u8]) -> Checksum {
        let mut hash = FNV_OFFSET_BASIS;
        let mut i = 0;
        while i < bytes.len() {
            hash ^= bytes[i] as u64;
            hash = hash.wrapping_mul(FNV_PRIME);
            i += 1;
        }
        Checksum(hash)
    }
}

impl fmt::Display for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values from the FNV specification's test suite.
    #[test]
    fn matches_the_specification() {
        assert_eq!(Checksum::of(b"").0, 0xcbf29ce484222325);
        assert_eq!(Checksum::of(b"a").0, 0xaf63dc4c8601ec8c);
        assert_eq!(Checksum::of(b"foobar").0, 0x85944171f73967e8);
    }
}
