//! SORN configuration: every parameter of the Python package `sorn`, its defaults, the
//! compatibility switches for the package's oddities, and validation.
//!
//! Field names follow the package (`ne`, `nu`, `eta_stdp`, `lambda_ee`, ...). Values the package
//! hard-codes (noise, structural plasticity, weight ranges) are fields here with the package's
//! value as default. [`Config::validate`] checks everything up front; a network is never built
//! from an invalid config.

use core::fmt;

/// Largest pool size: unit indices are stored as `u16`.
pub const MAX_UNITS: u32 = u16::MAX as u32;

/// Largest synapse capacity of one matrix: slots are indexed by `u32`.
pub const MAX_CAPACITY: usize = (u32::MAX / 2) as usize;

/// The package's behaviours that neuroloop does not follow by default (spec section 8); each can
/// be switched back on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Compat {
    /// The package's `Simulator` ignores the phase, so plasticity also runs in the "training"
    /// phase (oddity #1). Off: the training phase freezes every rule.
    pub simulator_ignores_phase: bool,
    /// The package repairs a unit with no incoming weight by drawing two presynaptic partners,
    /// with replacement, among the first fifth of the pool, possibly itself (oddity #10). Off:
    /// two distinct valid partners, uniformly, never itself.
    pub repair_first_fifth: bool,
}

/// Parameters of a SORN. `Config::DEFAULT` is the package's default network.
///
/// ```
/// use neuroloop_core::sorn::Config;
/// let c = Config::DEFAULT;
/// assert_eq!((c.ne, c.ni, c.nu), (200, 40, 10));
/// assert_eq!(c.h_ip(), 0.1);
/// assert!(c.validate().is_ok());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Config {
    /// Excitatory units N_E (package default 200).
    pub ne: u32,
    /// Inhibitory units N_I (package: always floor(0.2 N_E); settable here).
    pub ni: u32,
    /// Input channels N_U; channel k drives excitatory unit k with unit gain.
    pub nu: u32,
    /// E->E STDP learning rate.
    pub eta_stdp: f32,
    /// I->E inhibitory STDP learning rate.
    pub eta_inhib: f32,
    /// Intrinsic plasticity learning rate.
    pub eta_ip: f32,
    /// Target firing rate of intrinsic plasticity; `None` derives the package's 2 N_U / N_E.
    pub h_ip: Option<f32>,
    /// Target rate inside inhibitory STDP (independent of `h_ip`, as in the package).
    pub mu_ip: f32,
    /// Spread of per-unit IP targets: each unit's target is drawn once from
    /// N(h_ip, sigma_ip^2) (Zheng et al. 2013). 0 = every unit has target h_ip (the package,
    /// which accepts and ignores this parameter).
    pub sigma_ip: f32,
    /// Lower bound of the initial excitatory thresholds and of IP clipping.
    pub te_min: f32,
    /// Upper bound of the initial excitatory thresholds and of IP clipping.
    pub te_max: f32,
    /// Lower bound of the (fixed) inhibitory thresholds.
    pub ti_min: f32,
    /// Upper bound of the (fixed) inhibitory thresholds.
    pub ti_max: f32,
    /// Mean E->E in-degree per excitatory unit (degrees are trunc(N(lambda, 1))).
    pub lambda_ee: f32,
    /// Mean I->E out-degree per inhibitory unit; `ne` makes I->E dense.
    pub lambda_ei: f32,
    /// Mean E->I in-degree per inhibitory unit; `None` = dense E->I (the package, which accepts
    /// and ignores `lambda_ie`). Set, E->I is stored and summed as sparse lists
    /// ([`super::Wie`]), so its memory and time are linear in `ne`.
    pub lambda_ie: Option<f32>,
    /// Standard deviation of the Gaussian noise added to every unit's drive each step.
    pub noise_sd: f32,
    /// Probability per step that structural plasticity creates one E->E synapse.
    pub p_sp: f32,
    /// Weight of a synapse created by structural plasticity (before normalisation).
    pub w_sp: f32,
    /// Initial weights are uniform on (0, w_init_max] before normalisation.
    pub w_init_max: f32,
    /// STDP and iSTDP clip weights to [0, w_max]; a weight clipped to 0 is pruned.
    pub w_max: f32,
    /// Clip excitatory thresholds to [te_min, te_max] after IP (the package does; oddity #15).
    pub ip_clip: bool,
    /// Spare E->E synapse slots per excitatory unit beyond ceil(lambda_ee): room for structural
    /// plasticity. Capacity = ne * (ceil(lambda_ee) + ee_spare_per_unit).
    pub ee_spare_per_unit: u32,
    /// Spare I->E slots per inhibitory unit beyond ceil(lambda_ei) (I->E never grows; this
    /// only absorbs the spread of the random initial degrees).
    pub ei_spare_per_unit: u32,
    /// Inhibition reacts within the step: y(t+1) = H(W_IE x(t+1) - T_I), from the excitatory
    /// state just computed, as in the Triesch lab's own SORN code (Lazar's, `delpapa/SORN_V2`,
    /// `chrhartm/SORN`). Off: y(t+1) from x(t), as the `sorn` package and the spec's equations.
    /// The counting task depends on it (docs/science.md).
    pub fast_inhibition: bool,
    /// Compatibility switches for the package's oddities.
    pub compat: Compat,
}

impl Default for Config {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl Config {
    /// The package's default network: N_E 200, N_I 40, N_U 10, all five rules at their rates.
    pub const DEFAULT: Config = Config {
        ne: 200,
        ni: 40,
        nu: 10,
        eta_stdp: 0.004,
        eta_inhib: 0.001,
        eta_ip: 0.01,
        h_ip: None,
        mu_ip: 0.1,
        sigma_ip: 0.0,
        te_min: 0.0,
        te_max: 1.0,
        ti_min: 0.0,
        ti_max: 0.5,
        lambda_ee: 20.0,
        lambda_ei: 40.0,
        lambda_ie: None,
        noise_sd: 0.04,
        p_sp: 0.1,
        w_sp: 0.001,
        w_init_max: 0.1,
        w_max: 1.0,
        ip_clip: true,
        ee_spare_per_unit: 4,
        ei_spare_per_unit: 4,
        fast_inhibition: false,
        compat: Compat { simulator_ignores_phase: false, repair_first_fifth: false },
    };

    /// The package's defaults at another size: `ni = floor(0.2 ne)`, everything else default
    /// (so `h_ip = 2 nu / ne` follows the size, as in the package).
    ///
    /// ```
    /// use neuroloop_core::sorn::Config;
    /// let c = Config::with_size(1000, 10);
    /// assert_eq!(c.ni, 200);
    /// assert!((c.h_ip() - 0.02).abs() < 1e-9);
    /// ```
    pub const fn with_size(ne: u32, nu: u32) -> Config {
        Config { ne, ni: ne / 5, nu, ..Config::DEFAULT }
    }

    /// Lazar, Pipa & Triesch (2009): STDP, IP and synaptic normalisation only (no iSTDP, no
    /// structural plasticity), no noise, their smaller rates and sparser E->E, dense I->E. Rules
    /// are switched off through [`super::Freeze::LAZAR2009`], which this preset is meant to be
    /// run with.
    ///
    /// | paper | value | here |
    /// |---|---|---|
    /// | N^E, N^I = 0.2 N^E | 200, 40 | `ne`, `ni` |
    /// | N^U, units per input symbol | 10 | [`super::SymbolSpec::pool_size`]; `nu = ne`, so a symbol's pool can be any excitatory unit |
    /// | eta_STDP, eta_IP | 0.001, 0.001 | `eta_stdp`, `eta_ip` |
    /// | H_IP = 2 N^U / N^E | 0.1 | `h_ip` (set: `nu` counts channels, not units per symbol) |
    /// | lambda^W, E->E in-degree | 10 | `lambda_ee` |
    /// | W^EI, W^IE | dense | `lambda_ei = ne`, `lambda_ie = None` |
    /// | T^E_max, T^I_max | 1, 0.5 | `te_max`, `ti_max` |
    /// | noise | none | `noise_sd = 0` |
    /// | IP clipping | none | `ip_clip = false` |
    /// | y(t+1) from x(t+1) | (the lab's code) | `fast_inhibition = true` |
    ///
    /// The paper's body could not be read for this project: the values are those of the lab's
    /// own re-implementations (`delpapa/SORN_V2` `CountingTask/param.py`, `delpapa/SORN`
    /// `common/defaults.py`), which agree with each other on every row above except T^E_max
    /// (0.5 in SORN_V2).
    ///
    /// ```
    /// use neuroloop_core::sorn::Config;
    /// let c = Config::lazar2009();
    /// assert_eq!((c.ne, c.ni, c.nu, c.lambda_ee, c.h_ip()), (200, 40, 200, 10.0, 0.1));
    /// assert!(c.validate().is_ok());
    /// ```
    pub const fn lazar2009() -> Config {
        Config {
            nu: 200,
            eta_stdp: 0.001,
            eta_ip: 0.001,
            h_ip: Some(0.1),
            lambda_ee: 10.0,
            lambda_ei: 200.0,
            noise_sd: 0.0,
            p_sp: 0.0,
            ip_clip: false,
            fast_inhibition: true,
            ..Config::DEFAULT
        }
    }

    /// The IP target rate: `h_ip` if set, else the package's `2 nu / ne`.
    pub fn h_ip(&self) -> f32 {
        match self.h_ip {
            Some(h) => h,
            None if self.ne == 0 => 0.0,
            None => 2.0 * self.nu as f32 / self.ne as f32,
        }
    }

    /// Things that are valid but probably not meant (the host prints them).
    ///
    /// ```
    /// use neuroloop_core::sorn::Config;
    /// assert!(Config::DEFAULT.warnings().is_empty());
    /// assert!(Config::with_size(1000, 10).warnings().ip_targets_disagree);
    /// ```
    pub fn warnings(&self) -> Warnings {
        let h = self.h_ip();
        Warnings { ip_targets_disagree: (h - self.mu_ip).abs() > 1e-6 * self.mu_ip.abs().max(1.0) }
    }

    /// Checks every field; the first problem found is returned as a typed error naming the field
    /// and the allowed range.
    ///
    /// ```
    /// use neuroloop_core::sorn::{Config, ConfigError};
    /// let bad = Config { ni: 300, ..Config::DEFAULT };
    /// assert_eq!(bad.validate(), Err(ConfigError::TooManyInhibitory { ne: 200, ni: 300 }));
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        use ConfigError::*;
        for (field, value) in [("ne", self.ne), ("ni", self.ni), ("nu", self.nu)] {
            if value == 0 {
                return Err(ZeroSize { field });
            }
            if value > MAX_UNITS {
                return Err(TooLarge { field, value, max: MAX_UNITS });
            }
        }
        if self.ni > self.ne {
            return Err(TooManyInhibitory { ne: self.ne, ni: self.ni });
        }
        if self.nu > self.ne {
            return Err(TooManyInputs { ne: self.ne, nu: self.nu });
        }
        let reals: [(&'static str, f32); 17] = [
            ("eta_stdp", self.eta_stdp),
            ("eta_inhib", self.eta_inhib),
            ("eta_ip", self.eta_ip),
            ("h_ip", self.h_ip()),
            ("mu_ip", self.mu_ip),
            ("sigma_ip", self.sigma_ip),
            ("te_min", self.te_min),
            ("te_max", self.te_max),
            ("ti_min", self.ti_min),
            ("ti_max", self.ti_max),
            ("lambda_ee", self.lambda_ee),
            ("lambda_ei", self.lambda_ei),
            ("noise_sd", self.noise_sd),
            ("p_sp", self.p_sp),
            ("w_sp", self.w_sp),
            ("w_init_max", self.w_init_max),
            ("w_max", self.w_max),
        ];
        for (field, value) in reals {
            if !value.is_finite() {
                return Err(NotFinite { field });
            }
        }
        if let Some(l) = self.lambda_ie {
            if !l.is_finite() {
                return Err(NotFinite { field: "lambda_ie" });
            }
        }
        for (field, value) in [
            ("eta_stdp", self.eta_stdp),
            ("eta_inhib", self.eta_inhib),
            ("eta_ip", self.eta_ip),
            ("sigma_ip", self.sigma_ip),
            ("noise_sd", self.noise_sd),
        ] {
            if value < 0.0 {
                return Err(Negative { field, value });
            }
        }
        let unit = |field, value: f32, min: f32, max: f32| {
            if value < min || value > max { Err(OutOfRange { field, value, min, max }) } else { Ok(()) }
        };
        unit("h_ip", self.h_ip(), 0.0, 1.0)?;
        unit("p_sp", self.p_sp, 0.0, 1.0)?;
        if self.mu_ip <= 0.0 || self.mu_ip > 1.0 {
            return Err(OutOfRange { field: "mu_ip", value: self.mu_ip, min: f32::MIN_POSITIVE, max: 1.0 });
        }
        if self.w_max <= 0.0 {
            return Err(OutOfRange { field: "w_max", value: self.w_max, min: f32::MIN_POSITIVE, max: f32::MAX });
        }
        if self.w_sp <= 0.0 || self.w_sp > self.w_max {
            return Err(OutOfRange { field: "w_sp", value: self.w_sp, min: f32::MIN_POSITIVE, max: self.w_max });
        }
        if self.w_init_max <= 0.0 || self.w_init_max > self.w_max {
            return Err(OutOfRange {
                field: "w_init_max",
                value: self.w_init_max,
                min: f32::MIN_POSITIVE,
                max: self.w_max,
            });
        }
        if self.te_min > self.te_max {
            return Err(MinAboveMax { min_field: "te_min", max_field: "te_max", min: self.te_min, max: self.te_max });
        }
        if self.ti_min > self.ti_max {
            return Err(MinAboveMax { min_field: "ti_min", max_field: "ti_max", min: self.ti_min, max: self.ti_max });
        }
        let lambdas = [
            ("lambda_ee", self.lambda_ee, self.ne - 1),
            ("lambda_ei", self.lambda_ei, self.ne),
            ("lambda_ie", self.lambda_ie.unwrap_or(0.0), self.ne),
        ];
        for (field, value, pool) in lambdas {
            if value < 0.0 || value > pool as f32 {
                return Err(LambdaOutOfRange { field, value, pool });
            }
        }
        // Slots are indexed by u32: refuse capacities that would not fit (with room to spare).
        let layout = super::Layout::new(self);
        let max = MAX_CAPACITY;
        if layout.ee_capacity > max {
            return Err(CapacityTooLarge { matrix: "E->E", capacity: layout.ee_capacity as u64, max: max as u64 });
        }
        if layout.ei_capacity > max {
            return Err(CapacityTooLarge { matrix: "I->E", capacity: layout.ei_capacity as u64, max: max as u64 });
        }
        if layout.ie_sparse && layout.ie_capacity > max {
            return Err(CapacityTooLarge { matrix: "E->I", capacity: layout.ie_capacity as u64, max: max as u64 });
        }
        Ok(())
    }
}

/// Valid but suspicious settings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Warnings {
    /// The IP target `h_ip` (2 N_U/N_E by default) differs from iSTDP's target `mu_ip` (oddity
    /// #16): the two rules push the excitatory rate toward different values.
    pub ip_targets_disagree: bool,
}

impl Warnings {
    /// True when there is nothing to warn about.
    pub fn is_empty(&self) -> bool {
        !self.ip_targets_disagree
    }
}

impl fmt::Display for Warnings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ip_targets_disagree {
            f.write_str("h_ip (the IP target, 2 nu / ne unless set) differs from mu_ip (the iSTDP target)")?;
        }
        Ok(())
    }
}

/// A configuration value that is not allowed, naming the field and the allowed range.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ConfigError {
    /// A size is zero.
    ZeroSize {
        /// `ne`, `ni` or `nu`.
        field: &'static str,
    },
    /// A size or capacity exceeds what the storage can index.
    TooLarge {
        /// The field.
        field: &'static str,
        /// Its value.
        value: u32,
        /// The largest allowed value.
        max: u32,
    },
    /// More inhibitory than excitatory units.
    TooManyInhibitory {
        /// Excitatory units.
        ne: u32,
        /// Inhibitory units.
        ni: u32,
    },
    /// More input channels than excitatory units (channel k drives unit k).
    TooManyInputs {
        /// Excitatory units.
        ne: u32,
        /// Input channels.
        nu: u32,
    },
    /// NaN or infinite.
    NotFinite {
        /// The field.
        field: &'static str,
    },
    /// A rate or standard deviation below zero.
    Negative {
        /// The field.
        field: &'static str,
        /// Its value.
        value: f32,
    },
    /// A value outside its closed range `[min, max]`.
    OutOfRange {
        /// The field.
        field: &'static str,
        /// Its value.
        value: f32,
        /// Smallest allowed value.
        min: f32,
        /// Largest allowed value.
        max: f32,
    },
    /// A sparse matrix's synapse capacity (`ne (ceil(lambda_ee) + ee_spare_per_unit)` for
    /// E->E, `ni (ceil(lambda_ei) + ei_spare_per_unit)` for I->E) exceeds what its `u32` slot
    /// indices can address.
    CapacityTooLarge {
        /// `"E->E"` or `"I->E"`.
        matrix: &'static str,
        /// Slots the configuration asks for.
        capacity: u64,
        /// The largest capacity allowed.
        max: u64,
    },
    /// A lower bound above its upper bound.
    MinAboveMax {
        /// The lower-bound field.
        min_field: &'static str,
        /// The upper-bound field.
        max_field: &'static str,
        /// The lower bound.
        min: f32,
        /// The upper bound.
        max: f32,
    },
    /// A mean degree below 0 or above the number of possible partners.
    LambdaOutOfRange {
        /// The field.
        field: &'static str,
        /// Its value.
        value: f32,
        /// Possible partners (the largest allowed value).
        pool: u32,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ConfigError::ZeroSize { field } => write!(f, "{field} = 0: must be at least 1"),
            ConfigError::TooLarge { field, value, max } => {
                write!(f, "{field} = {value} is too large: at most {max}")
            }
            ConfigError::TooManyInhibitory { ne, ni } => {
                write!(f, "ni = {ni} exceeds ne = {ne}: ni must be in 1..={ne}")
            }
            ConfigError::TooManyInputs { ne, nu } => {
                write!(f, "nu = {nu} exceeds ne = {ne}: nu must be in 1..={ne} (channel k drives unit k)")
            }
            ConfigError::NotFinite { field } => {
                write!(f, "{field} is NaN or infinite: must be a finite number")
            }
            ConfigError::Negative { field, value } => {
                write!(f, "{field} = {value} is negative: must be >= 0")
            }
            ConfigError::OutOfRange { field, value, min, max } => {
                // MIN_POSITIVE stands for "greater than 0", MAX for "no upper bound".
                match (min == f32::MIN_POSITIVE, max == f32::MAX) {
                    (true, true) => write!(f, "{field} = {value} is out of range: must be > 0"),
                    (true, false) => write!(f, "{field} = {value} is out of range: must be in (0, {max}]"),
                    _ => write!(f, "{field} = {value} is out of range: must be in [{min}, {max}]"),
                }
            }
            ConfigError::CapacityTooLarge { matrix, capacity, max } => {
                let fields = match matrix {
                    "E->E" => "ne * (ceil(lambda_ee) + ee_spare_per_unit)",
                    "E->I" => "ni * (ceil(lambda_ie) + 4)",
                    _ => "ni * (ceil(lambda_ei) + ei_spare_per_unit)",
                };
                write!(f, "the {matrix} capacity {fields} = {capacity} synapse slots is too large: at most {max}")
            }
            ConfigError::MinAboveMax { min_field, max_field, min, max } => {
                write!(f, "{min_field} = {min} is above {max_field} = {max}: need {min_field} <= {max_field}")
            }
            ConfigError::LambdaOutOfRange { field, value, pool } => {
                write!(f, "{field} = {value} is out of range: must be in [0, {pool}] (the pool it draws from)")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn the_defaults_are_the_packages() {
        let c = Config::DEFAULT;
        assert_eq!((c.ne, c.ni, c.nu, c.lambda_ee, c.lambda_ei, c.noise_sd), (200, 40, 10, 20.0, 40.0, 0.04));
        assert_eq!((c.eta_stdp, c.eta_inhib, c.eta_ip, c.mu_ip, c.h_ip()), (0.004, 0.001, 0.01, 0.1, 0.1));
        assert!(c.validate().is_ok() && c.warnings().is_empty());
        assert_eq!(Config::with_size(1000, 10).ni, 200);
        assert!(Config::lazar2009().validate().is_ok());
    }

    #[test]
    fn every_check_names_its_field() {
        let err = |c: Config| c.validate().unwrap_err();
        assert_eq!(err(Config { ne: 0, ..Config::DEFAULT }), ConfigError::ZeroSize { field: "ne" });
        assert_eq!(
            err(Config { nu: 70_000, ..Config::DEFAULT }),
            ConfigError::TooLarge { field: "nu", value: 70_000, max: MAX_UNITS }
        );
        assert_eq!(err(Config { nu: 300, ..Config::DEFAULT }), ConfigError::TooManyInputs { ne: 200, nu: 300 });
        assert_eq!(err(Config { eta_ip: f32::NAN, ..Config::DEFAULT }), ConfigError::NotFinite { field: "eta_ip" });
        assert_eq!(
            err(Config { eta_stdp: -1.0, ..Config::DEFAULT }),
            ConfigError::Negative { field: "eta_stdp", value: -1.0 }
        );
        assert!(matches!(err(Config { p_sp: 2.0, ..Config::DEFAULT }), ConfigError::OutOfRange { field: "p_sp", .. }));
        // "Positive" says so, not the smallest normal f32.
        let e = err(Config { w_max: 0.0, ..Config::DEFAULT });
        assert_eq!(std::format!("{e}"), "w_max = 0 is out of range: must be > 0");
        assert!(matches!(
            err(Config { te_min: 2.0, ..Config::DEFAULT }),
            ConfigError::MinAboveMax { min_field: "te_min", .. }
        ));
        assert!(matches!(
            err(Config { lambda_ee: 200.0, ..Config::DEFAULT }),
            ConfigError::LambdaOutOfRange { field: "lambda_ee", pool: 199, .. }
        ));
    }

    #[test]
    fn an_oversized_capacity_names_the_matrix_and_its_formula() {
        let c = Config { ne: 65_535, ni: 1, nu: 1, lambda_ee: 40_000.0, h_ip: Some(0.1), ..Config::DEFAULT };
        let e = c.validate().unwrap_err();
        assert!(matches!(e, ConfigError::CapacityTooLarge { matrix: "E->E", .. }), "{e:?}");
        let text = e.to_string();
        assert!(text.contains("ee_spare_per_unit") && !text.contains("at most 0"), "{text}");
    }
}
