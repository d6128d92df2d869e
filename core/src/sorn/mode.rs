//! How a network is run: the phase, the freeze list and noise.

use core::fmt;
use core::str::FromStr;

/// The package's two phases.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Phase {
    /// Every rule not in the freeze list runs each step.
    #[default]
    Plasticity,
    /// The network is a fixed reservoir: no rule runs (unless
    /// [`super::Compat::simulator_ignores_phase`] is set). Noise is still drawn when on.
    Training,
}

impl Phase {
    /// The package's name of the phase.
    pub const fn name(self) -> &'static str {
        match self {
            Phase::Plasticity => "plasticity",
            Phase::Training => "training",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown phase or rule name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UnknownName;

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown name: phases are plasticity, training; rules are stdp, ip, sp, istdp, ss")
    }
}

impl FromStr for Phase {
    type Err = UnknownName;

    /// ```
    /// use neuroloop_core::sorn::Phase;
    /// assert_eq!("training".parse::<Phase>(), Ok(Phase::Training));
    /// assert!("learning".parse::<Phase>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "plasticity" => Ok(Phase::Plasticity),
            "training" => Ok(Phase::Training),
            _ => Err(UnknownName),
        }
    }
}

/// One of the five plasticity rules, named as in the package's freeze list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Rule {
    /// E->E spike-timing-dependent plasticity (`stdp`).
    Stdp,
    /// Intrinsic plasticity of excitatory thresholds (`ip`).
    Ip,
    /// Structural plasticity: creation of E->E synapses (`sp`).
    Sp,
    /// I->E inhibitory STDP (`istdp`).
    Istdp,
    /// Synaptic normalisation of E->E and I->E (`ss`).
    Ss,
}

impl Rule {
    /// All rules, in the order a step applies them.
    pub const ALL: [Rule; 5] = [Rule::Stdp, Rule::Ip, Rule::Sp, Rule::Istdp, Rule::Ss];

    /// The package's name.
    pub const fn name(self) -> &'static str {
        match self {
            Rule::Stdp => "stdp",
            Rule::Ip => "ip",
            Rule::Sp => "sp",
            Rule::Istdp => "istdp",
            Rule::Ss => "ss",
        }
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Rule {
    type Err = UnknownName;

    /// ```
    /// use neuroloop_core::sorn::Rule;
    /// assert_eq!("istdp".parse::<Rule>(), Ok(Rule::Istdp));
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rule::ALL.into_iter().find(|r| r.name() == s).ok_or(UnknownName)
    }
}

/// A set of frozen rules (the package's `freeze` list).
///
/// ```
/// use neuroloop_core::sorn::{Freeze, Rule};
/// let f = Freeze::NONE.with(Rule::Sp).with(Rule::Istdp);
/// assert!(f.contains(Rule::Sp) && !f.contains(Rule::Stdp));
/// assert_eq!(f, Freeze::LAZAR2009);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Freeze(u8);

impl Freeze {
    /// Nothing frozen.
    pub const NONE: Freeze = Freeze(0);
    /// Every rule frozen.
    pub const ALL: Freeze = Freeze(0x1f);
    /// The rules Lazar et al. (2009) did not have: iSTDP and structural plasticity.
    pub const LAZAR2009: Freeze = Freeze(Rule::Sp.bit() | Rule::Istdp.bit());

    /// This set plus `rule`.
    pub const fn with(self, rule: Rule) -> Freeze {
        Freeze(self.0 | rule.bit())
    }

    /// True if `rule` is frozen.
    pub const fn contains(self, rule: Rule) -> bool {
        self.0 & rule.bit() != 0
    }

    /// One bit per rule, in [`Rule::ALL`] order.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// The set of [`Freeze::bits`] (bits past the five rules are ignored).
    pub const fn from_bits(bits: u8) -> Freeze {
        Freeze(bits & 0x1f)
    }

    /// The frozen rules, in [`Rule::ALL`] order.
    pub fn rules(self) -> impl Iterator<Item = Rule> {
        Rule::ALL.into_iter().filter(move |&r| self.contains(r))
    }
}

/// The package's freeze list, comma-separated (`"sp,istdp"`; empty for nothing frozen).
///
/// ```
/// use neuroloop_core::sorn::Freeze;
/// assert_eq!(Freeze::LAZAR2009.to_string(), "sp,istdp");
/// assert_eq!(Freeze::NONE.to_string(), "");
/// ```
impl fmt::Display for Freeze {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, r) in self.rules().enumerate() {
            if k > 0 {
                f.write_str(",")?;
            }
            f.write_str(r.name())?;
        }
        Ok(())
    }
}

impl FromStr for Freeze {
    type Err = UnknownName;

    /// A comma-separated list of rule names; spaces around names and empty items are ignored.
    ///
    /// ```
    /// use neuroloop_core::sorn::{Freeze, Rule};
    /// assert_eq!("sp, istdp".parse(), Ok(Freeze::LAZAR2009));
    /// assert_eq!("".parse(), Ok(Freeze::NONE));
    /// assert!("sp,oops".parse::<Freeze>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut f = Freeze::NONE;
        for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            f = f.with(name.parse()?);
        }
        Ok(f)
    }
}

/// A freeze list serializes as the list of rule names (`["sp", "istdp"]`).
#[cfg(feature = "serde")]
impl serde::Serialize for Freeze {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.rules())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Freeze {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Names;
        impl<'de> serde::de::Visitor<'de> for Names {
            type Value = Freeze;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of rule names (stdp, ip, sp, istdp, ss)")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Freeze, A::Error> {
                let mut f = Freeze::NONE;
                while let Some(r) = seq.next_element::<Rule>()? {
                    f = f.with(r);
                }
                Ok(f)
            }
        }
        d.deserialize_seq(Names)
    }
}

/// How the next steps run. The default: plasticity phase, nothing frozen, noise on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Mode {
    /// Plasticity or training.
    pub phase: Phase,
    /// Rules skipped in the plasticity phase.
    pub freeze: Freeze,
    /// Add Gaussian noise (standard deviation `Config::noise_sd`) to every drive.
    pub noise: bool,
}

impl Default for Mode {
    fn default() -> Self {
        Mode { phase: Phase::Plasticity, freeze: Freeze::NONE, noise: true }
    }
}

impl Mode {
    /// The mode of the training phase: every rule frozen, noise as given.
    pub const fn training(noise: bool) -> Mode {
        Mode { phase: Phase::Training, freeze: Freeze::NONE, noise }
    }
}
