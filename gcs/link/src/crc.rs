//! The one CRC-32 of Vigil: NuttX's and PX4's `crc32part` (reflected polynomial
//! 0xEDB88320, no pre- or post-inversion), which PX4 uses for its parameter hash
//! (`_HASH_CHECK`) and its mission opaque ids. The link checks the vehicle's hash
//! with it and the simulator computes both with it.

/// NuttX / PX4 `crc32part`: continues `crc` over `bytes`, without pre- or post-inversion
/// (start a CRC with 0, as PX4 does; `!crc32_part(b, !0)` is the standard CRC-32).
pub fn crc32_part(bytes: &[u8], mut crc: u32) -> u32 {
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_nuttx_crc32part() {
        // NuttX's crc32("123456789") = crc32part(.., 0): the standard check value
        // 0xCBF43926 is with pre- and post-inversion; PX4's variant has neither.
        assert_eq!(!crc32_part(b"123456789", !0), 0xCBF4_3926);
        assert_eq!(crc32_part(b"", 0), 0);
        // Chaining parts equals one pass.
        assert_eq!(
            crc32_part(b"6789", crc32_part(b"12345", 0)),
            crc32_part(b"123456789", 0)
        );
    }
}
