//! SORN configs from TOML: the package's parameter names, its defaults for missing keys.

use std::path::Path;

use anyhow::Context;
use neuroloop_core::sorn::Config;

/// Parses a SORN config from TOML text. Keys are [`Config`]'s fields (the package's names);
/// missing keys take the package's defaults, and, as in the package, `ni` follows `ne`
/// (`floor(0.2 ne)`) unless given. An unknown key or a value out of range is an error that
/// names the key.
///
/// ```
/// let cfg = neuroloop_host::sorn::parse_config("ne = 400\neta_stdp = 0.002\n").unwrap();
/// assert_eq!((cfg.ne, cfg.ni, cfg.eta_stdp), (400, 80, 0.002));
/// assert!(neuroloop_host::sorn::parse_config("nee = 3").is_err());
/// ```
pub fn parse_config(text: &str) -> anyhow::Result<Config> {
    let mut table: toml::Table = toml::from_str(text).context("not valid TOML")?;
    if let (Some(ne), false) = (table.get("ne").and_then(|v| v.as_integer()), table.contains_key("ni")) {
        table.insert("ni".into(), toml::Value::Integer(ne / 5));
    }
    let cfg: Config = table.try_into().map_err(|e: toml::de::Error| anyhow::anyhow!("{}", e.message()))?;
    cfg.validate()?;
    Ok(cfg)
}

/// Reads and parses a TOML config file (see [`parse_config`]).
pub fn load_config(path: &Path) -> anyhow::Result<Config> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse_config(&text).with_context(|| format!("in config {}", path.display()))
}
