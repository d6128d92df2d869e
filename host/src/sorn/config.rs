//! SORN configs from TOML: the package's parameter names, its defaults for missing keys.

use std::path::Path;

use anyhow::{Context, bail};
use neuroloop_core::sorn::{Config, ConfigError};

/// Parses a SORN config from TOML text. Keys are [`Config`]'s fields (the package's names);
/// missing keys take the package's defaults, and, as in the package, `ni` follows `ne`
/// (`floor(0.2 ne)`) unless given. An unknown key or a value out of range is an error that
/// names the key.
///
/// ```
/// let cfg = neuroloop_host::sorn::parse_config("ne = 400\neta_stdp = 0.002\n").unwrap();
/// assert_eq!((cfg.ne, cfg.ni, cfg.eta_stdp), (400, 80, 0.002));
/// assert!(neuroloop_host::sorn::parse_config("nee = 3").is_err());
/// let e = neuroloop_host::sorn::parse_config("ne = \"200\"").unwrap_err().to_string();
/// assert!(e.starts_with("ne: invalid type"), "{e}");
/// ```
pub fn parse_config(text: &str) -> anyhow::Result<Config> {
    let mut table: toml::Table = toml::from_str(text).context("not valid TOML")?;
    let derived_ni = match (table.get("ne").and_then(|v| v.as_integer()), table.contains_key("ni")) {
        (Some(ne), false) => {
            table.insert("ni".into(), toml::Value::Integer(ne / 5));
            Some(ne)
        }
        _ => None,
    };
    // Through serde_path_to_error, so a value of the wrong type names its key.
    let cfg: Config = serde_path_to_error::deserialize(toml::Value::Table(table))
        .map_err(|e| anyhow::anyhow!("{}: {}", e.path(), e.inner().message()))?;
    match (cfg.validate(), derived_ni) {
        (Err(ConfigError::ZeroSize { field: "ni" }), Some(ne)) => {
            bail!("ni = floor(0.2 ne) = 0 for ne = {ne} (as in the package): set ni, or use ne >= 5")
        }
        (Err(e), _) => Err(e.into()),
        (Ok(()), _) => Ok(cfg),
    }
}

/// Reads and parses a TOML config file (see [`parse_config`]).
pub fn load_config(path: &Path) -> anyhow::Result<Config> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse_config(&text).with_context(|| format!("in config {}", path.display()))
}
