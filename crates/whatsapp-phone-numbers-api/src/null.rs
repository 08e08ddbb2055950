//! `null` where a list or map is optional: Graph writes `null` for a value it has none of
//! (`"servers": null`), and the generated types read it as empty rather than failing the
//! whole answer. `cargo xtask regen` gives every optional list and map field this decoder
//! (an optional field of any other type is an `Option`, where `null` is `None`).

use serde::{Deserialize, Deserializer};

/// Decodes `T`, or `T::default()` for `null`.
pub fn or_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
