//! Complete parameter sets kept by PX4's `_HASH_CHECK`, so a reconnect skips the list.
//!
//! PX4 opens every list stream with a PARAM_VALUE named `_HASH_CHECK` (index -1, type
//! UINT32) whose value is `param_hash_check()` (`src/lib/parameters/parameters.cpp`):
//! a CRC32 (NuttX's `crc32part`: reflected polynomial 0xEDB88320, initial value 0, no
//! final inversion) over each used, non-volatile parameter in index order, name bytes
//! (without NUL) then its 4 value bytes. A ground station that holds a set with that
//! hash uses it and answers with a PARAM_SET of `_HASH_CHECK`, which stops the stream
//! (`mavlink_parameters.cpp`), as QGroundControl does.
//!
//! Sets are kept in memory and, with [`ParamCache::open`], in a directory: one text
//! file per hash, `params-XXXXXXXX.txt`, a line per parameter
//! (`index name type value-bits-hex`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use mavlink::dialects::common::MavParamType;
use num_traits::FromPrimitive;

use super::value::{ParamEncoding, ParamValue};
use super::{Param, ParamSet};
pub use crate::crc::crc32_part;

/// PX4's `param_hash_check()` over `params` in the order given (PX4's index order).
///
/// Equals the vehicle's `_HASH_CHECK` when no parameter is volatile; PX4 leaves volatile
/// ones (calibration counters, flight UUID) out of its hash.
pub fn px4_hash(params: &[Param]) -> u32 {
    params.iter().fold(0, |h, p| {
        let h = crc32_part(p.name.as_bytes(), h);
        crc32_part(&p.value.bytes(), h)
    })
}

/// Why the cache directory could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// File system error.
    #[error("parameter cache {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A cache file is malformed.
    #[error("parameter cache {path}, line {line}: malformed")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
    },
}

/// Complete parameter sets by the `_HASH_CHECK` the vehicle reported with them.
#[derive(Debug, Default, Clone)]
pub struct ParamCache {
    dir: Option<PathBuf>,
    sets: HashMap<u32, ParamSet>,
}

impl ParamCache {
    /// An empty cache in memory.
    pub fn new() -> Self {
        Self::default()
    }

    /// A cache backed by `dir` (created if missing), loaded with the sets saved there.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, CacheError> {
        let dir = dir.into();
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| CacheError::Io { path, source }
        };
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let mut sets = HashMap::new();
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
            let path = entry.map_err(io(&dir))?.path();
            let Some(hash) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_prefix("params-"))
                .and_then(|n| n.strip_suffix(".txt"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
            else {
                continue;
            };
            let text = std::fs::read_to_string(&path).map_err(io(&path))?;
            let params = parse(&text).map_err(|line| CacheError::Malformed {
                path: path.clone(),
                line,
            })?;
            sets.insert(
                hash,
                ParamSet {
                    params,
                    hash: Some(hash),
                    from_cache: true,
                },
            );
        }
        Ok(Self {
            dir: Some(dir),
            sets,
        })
    }

    /// The set the vehicle reported `hash` with, if kept.
    pub fn get(&self, hash: u32) -> Option<&ParamSet> {
        self.sets.get(&hash)
    }

    /// Number of sets kept.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// Whether no set is kept.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// Keeps a complete set under the hash it was reported with (sets without one are
    /// not kept); writes it to the directory if the cache has one.
    pub fn insert(&mut self, set: &ParamSet) -> Result<bool, CacheError> {
        let Some(hash) = set.hash else {
            return Ok(false);
        };
        if let Some(dir) = &self.dir {
            let path = dir.join(format!("params-{hash:08x}.txt"));
            vigil_fs::write_atomic(&path, format_set(&set.params).as_bytes()).map_err(|e| {
                CacheError::Io {
                    path: e.path,
                    source: e.source,
                }
            })?;
        }
        self.sets.insert(hash, set.clone());
        Ok(true)
    }
}

fn format_set(params: &[Param]) -> String {
    params
        .iter()
        .map(|p| {
            format!(
                "{} {} {} {:08x}\n",
                p.index,
                p.name,
                p.value.mav_type() as u32,
                u32::from_le_bytes(p.value.bytes())
            )
        })
        .collect()
}

/// Parses a cache file; the error is the 1-based number of the first bad line.
fn parse(text: &str) -> Result<Vec<Param>, usize> {
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let bad = i + 1;
            let mut f = line.split(' ');
            let index = f.next().and_then(|s| s.parse().ok()).ok_or(bad)?;
            let name = f.next().filter(|n| n.len() <= 16).ok_or(bad)?.to_owned();
            let kind = f
                .next()
                .and_then(|s| s.parse::<u32>().ok())
                .and_then(MavParamType::from_u32)
                .ok_or(bad)?;
            let bits = f
                .next()
                .and_then(|s| u32::from_str_radix(s, 16).ok())
                .ok_or(bad)?;
            let value = ParamValue::from_wire(f32::from_bits(bits), kind, ParamEncoding::Bytewise)
                .map_err(|_| bad)?;
            Ok(Param { name, value, index })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(index: u16, name: &str, value: ParamValue) -> Param {
        Param {
            name: name.into(),
            value,
            index,
        }
    }

    #[test]
    fn hash_covers_names_and_value_bytes_in_order() {
        let a = vec![
            p(0, "BAT_LOW_THR", ParamValue::F32(0.15)),
            p(1, "NAV_DLL_ACT", ParamValue::I32(0)),
        ];
        let h = px4_hash(&a);
        let mut expected = crc32_part(b"BAT_LOW_THR", 0);
        expected = crc32_part(&0.15f32.to_le_bytes(), expected);
        expected = crc32_part(b"NAV_DLL_ACT", expected);
        expected = crc32_part(&[0, 0, 0, 0], expected);
        assert_eq!(h, expected);
        let mut b = a.clone();
        b[1].value = ParamValue::I32(2);
        assert_ne!(px4_hash(&b), h);
    }

    #[test]
    fn sets_persist_by_hash_bit_for_bit() {
        let dir = std::env::temp_dir().join(format!("vigil-param-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let params = vec![
            p(0, "COM_FLTMODE1", ParamValue::I32(-1)),
            p(1, "MPC_XY_CRUISE", ParamValue::F32(5.0)),
            p(2, "ABCDEFGHIJKLMNOP", ParamValue::U8(7)),
        ];
        let set = ParamSet {
            hash: Some(0xDEAD_BEEF),
            params,
            from_cache: false,
        };
        let mut cache = ParamCache::open(&dir).unwrap();
        assert!(cache.is_empty());
        assert!(cache.insert(&set).unwrap());
        let unhashed = ParamSet {
            hash: None,
            ..set.clone()
        };
        assert!(!cache.insert(&unhashed).unwrap());
        let reopened = ParamCache::open(&dir).unwrap();
        assert_eq!(reopened.len(), 1);
        let back = reopened.get(0xDEAD_BEEF).unwrap();
        assert_eq!(back.params, set.params);
        assert!(back.from_cache);
        assert!(reopened.get(1).is_none());
        std::fs::write(dir.join("params-00000001.txt"), "0 X 6\n").unwrap();
        assert!(matches!(
            ParamCache::open(&dir),
            Err(CacheError::Malformed { line: 1, .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
