//! The registry: every environment by its gymnasium id. This is the one place an id is
//! matched; everything else names environments by [`EnvId`].

use core::fmt;
use core::str::FromStr;

use super::{
    Acrobot, Action, CartPole, DiffDrive, Env, EnvError, MountainCar, MountainCarContinuous, Pendulum, Space,
    Transition,
};

/// An environment of the registry.
///
/// ```
/// use neuroloop_core::env::{Env, EnvId};
/// let id: EnvId = "Acrobot-v1".parse()?;
/// assert_eq!(id.to_string(), "Acrobot-v1");
/// assert_eq!(id.make().time_limit(), 500);
/// assert!("Humanoid-v4".parse::<EnvId>().is_err());
/// # Ok::<(), neuroloop_core::env::UnknownEnv>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum EnvId {
    /// `CartPole-v1`.
    CartPole,
    /// `Pendulum-v1`.
    Pendulum,
    /// `MountainCar-v0`.
    MountainCar,
    /// `MountainCarContinuous-v0`.
    MountainCarContinuous,
    /// `Acrobot-v1`.
    Acrobot,
    /// `DiffDrive-v0`, neuroloop's robot.
    DiffDrive,
}

impl EnvId {
    /// Every registered environment.
    pub const ALL: [EnvId; 6] = [
        EnvId::CartPole,
        EnvId::Pendulum,
        EnvId::MountainCar,
        EnvId::MountainCarContinuous,
        EnvId::Acrobot,
        EnvId::DiffDrive,
    ];

    /// The gymnasium id.
    pub const fn name(self) -> &'static str {
        match self {
            EnvId::CartPole => "CartPole-v1",
            EnvId::Pendulum => "Pendulum-v1",
            EnvId::MountainCar => "MountainCar-v0",
            EnvId::MountainCarContinuous => "MountainCarContinuous-v0",
            EnvId::Acrobot => "Acrobot-v1",
            EnvId::DiffDrive => "DiffDrive-v0",
        }
    }

    /// A fresh environment (call [`Env::reset`] before stepping).
    pub fn make(self) -> AnyEnv {
        match self {
            EnvId::CartPole => AnyEnv::CartPole(CartPole::new()),
            EnvId::Pendulum => AnyEnv::Pendulum(Pendulum::new()),
            EnvId::MountainCar => AnyEnv::MountainCar(MountainCar::new()),
            EnvId::MountainCarContinuous => AnyEnv::MountainCarContinuous(MountainCarContinuous::new()),
            EnvId::Acrobot => AnyEnv::Acrobot(Acrobot::new()),
            EnvId::DiffDrive => AnyEnv::DiffDrive(DiffDrive::new()),
        }
    }
}

impl fmt::Display for EnvId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An id that is not in the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UnknownEnv;

impl fmt::Display for UnknownEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown environment: known are ")?;
        for (k, id) in EnvId::ALL.iter().enumerate() {
            if k > 0 {
                f.write_str(", ")?;
            }
            f.write_str(id.name())?;
        }
        Ok(())
    }
}

impl core::error::Error for UnknownEnv {}

impl FromStr for EnvId {
    type Err = UnknownEnv;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EnvId::ALL.into_iter().find(|id| id.name() == s).ok_or(UnknownEnv)
    }
}

/// An id serializes as its gymnasium name.
#[cfg(feature = "serde")]
impl serde::Serialize for EnvId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for EnvId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Name;
        impl serde::de::Visitor<'_> for Name {
            type Value = EnvId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an environment id such as \"CartPole-v1\"")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<EnvId, E> {
                s.parse().map_err(|e: UnknownEnv| E::custom(format_args!("{s:?}: {e}")))
            }
        }
        d.deserialize_str(Name)
    }
}

/// Any registered environment, as one type (no allocation, no trait object).
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum AnyEnv {
    /// `CartPole-v1`.
    CartPole(CartPole),
    /// `Pendulum-v1`.
    Pendulum(Pendulum),
    /// `MountainCar-v0`.
    MountainCar(MountainCar),
    /// `MountainCarContinuous-v0`.
    MountainCarContinuous(MountainCarContinuous),
    /// `Acrobot-v1`.
    Acrobot(Acrobot),
    /// `DiffDrive-v0`.
    DiffDrive(DiffDrive),
}

/// Runs `$body` with `$e` bound to the variant's environment.
macro_rules! each {
    ($self:expr, $e:ident => $body:expr) => {
        match $self {
            AnyEnv::CartPole($e) => $body,
            AnyEnv::Pendulum($e) => $body,
            AnyEnv::MountainCar($e) => $body,
            AnyEnv::MountainCarContinuous($e) => $body,
            AnyEnv::Acrobot($e) => $body,
            AnyEnv::DiffDrive($e) => $body,
        }
    };
}

impl AnyEnv {
    /// Its registry id.
    pub fn id(&self) -> EnvId {
        match self {
            AnyEnv::CartPole(_) => EnvId::CartPole,
            AnyEnv::Pendulum(_) => EnvId::Pendulum,
            AnyEnv::MountainCar(_) => EnvId::MountainCar,
            AnyEnv::MountainCarContinuous(_) => EnvId::MountainCarContinuous,
            AnyEnv::Acrobot(_) => EnvId::Acrobot,
            AnyEnv::DiffDrive(_) => EnvId::DiffDrive,
        }
    }
}

impl Env for AnyEnv {
    fn observation_space(&self) -> Space {
        each!(self, e => e.observation_space())
    }

    fn action_space(&self) -> Space {
        each!(self, e => e.action_space())
    }

    fn time_limit(&self) -> u32 {
        each!(self, e => e.time_limit())
    }

    fn reset(&mut self, seed: u64) -> &[f32] {
        each!(self, e => e.reset(seed))
    }

    fn step(&mut self, action: Action<'_>) -> Result<Transition, EnvError> {
        each!(self, e => e.step(action))
    }

    fn observation(&self) -> &[f32] {
        each!(self, e => e.observation())
    }

    fn state(&self) -> &[f64] {
        each!(self, e => e.state())
    }

    fn set_state(&mut self, state: &[f64]) -> Result<(), EnvError> {
        each!(self, e => e.set_state(state))
    }

    fn steps(&self) -> u32 {
        each!(self, e => e.steps())
    }
}
