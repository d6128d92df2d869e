//! SORN configs from TOML: the package's parameter names, its defaults for missing keys.

use std::path::Path;

use anyhow::{Context, bail};
use neuroloop_core::sorn::{Config, ConfigError};

/// Parses a SORN config from TOML text. Keys are [`Config`]'s fields (the package's names);
/// missing keys take the package's defaults, and, as in the package, `ni` follows `ne`
/// (`floor(0.2 ne)`) unless given; without `ee_spare_per_unit` the E->E capacity is the
/// host's ([`sized_for_host`]). An unknown key or a value out of range is an error that
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
    let spare_given = table.contains_key("ee_spare_per_unit");
    // Through serde_path_to_error, so a value of the wrong type names its key.
    let cfg: Config = serde_path_to_error::deserialize(toml::Value::Table(table))
        .map_err(|e| anyhow::anyhow!("{}: {}", e.path(), e.inner().message()))?;
    let cfg = if spare_given { cfg } else { sized_for_host(cfg) };
    match (cfg.validate(), derived_ni) {
        (Err(ConfigError::ZeroSize { field: "ni" }), Some(ne)) => {
            bail!("ni = floor(0.2 ne) = 0 for ne = {ne} (as in the package): set ni, or use ne >= 5")
        }
        (Err(e), _) => Err(e.into()),
        (Ok(()), _) => Ok(cfg),
    }
}

/// Most E->E synapse slots a host network gets without being asked (16 Mi slots, ~100 MB: room
/// for every possible synapse up to N_E 4,096).
pub const HOST_DENSE_SLOTS: u64 = 16 << 20;

/// The host's E->E capacity: room for every synapse a unit could have (`ne - 1` outgoing
/// slots per unit), so structural plasticity is never refused for lack of slots, as in the
/// package, whose matrices are dense. [`Config::DEFAULT`] keeps the board's 4 spare slots per
/// unit, which bind on long runs (seed 1: 35,862 of ~100,000 creations refused by 10^6
/// steps). Applied when structural plasticity is on, the network has at most
/// [`HOST_DENSE_SLOTS`] possible synapses and the config asks for fewer spare slots; a config
/// file that sets `ee_spare_per_unit` keeps its value.
///
/// ```
/// use neuroloop_core::sorn::Config;
/// let host = neuroloop_host::sorn::sized_for_host(Config::DEFAULT);
/// assert_eq!(host.ee_spare_per_unit, 199 - 20);
/// assert_eq!(neuroloop_host::sorn::parse_config("").unwrap(), host);
/// assert_eq!(neuroloop_host::sorn::parse_config("ee_spare_per_unit = 4").unwrap(), Config::DEFAULT);
/// ```
pub fn sized_for_host(cfg: Config) -> Config {
    let per_unit = cfg.ne.saturating_sub(1);
    let fixed = cfg.lambda_ee.max(0.0).ceil() as u32;
    let spare = per_unit.saturating_sub(fixed);
    let fits = u64::from(cfg.ne) * u64::from(per_unit) <= HOST_DENSE_SLOTS;
    if cfg.p_sp > 0.0 && fits && spare > cfg.ee_spare_per_unit {
        Config { ee_spare_per_unit: spare, ..cfg }
    } else {
        cfg
    }
}

/// Reads and parses a TOML config file (see [`parse_config`]).
pub fn load_config(path: &Path) -> anyhow::Result<Config> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse_config(&text).with_context(|| format!("in config {}", path.display()))
}
