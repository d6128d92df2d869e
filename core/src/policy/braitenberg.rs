//! A Braitenberg vehicle for `DiffDrive-v0`: a hand-written baseline and teacher.

use super::Policy;
use crate::env::Action;

/// Crossed excitatory wiring: each light sensor drives the opposite wheel, so the robot turns
/// toward the light and speeds up as it approaches; it turns in place while neither sensor
/// sees the light.
///
/// ```
/// use neuroloop_core::env::DiffDrive;
/// use neuroloop_core::episode::run_episode;
/// use neuroloop_core::policy::Braitenberg;
/// let s = run_episode(&mut DiffDrive::new(), &mut Braitenberg::default(), 1, &mut ())?;
/// assert!(s.terminated, "reached the light in {} steps", s.steps);
/// # Ok::<(), neuroloop_core::episode::EpisodeError<core::convert::Infallible>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Braitenberg {
    wheels: [f32; 2],
}

impl Policy for Braitenberg {
    type Error = core::convert::Infallible;

    fn reset(&mut self, _seed: u64) -> Result<(), Self::Error> {
        Ok(())
    }

    /// Observation: light left, light right, (walls and turn rate unused).
    fn act(&mut self, obs: &[f32]) -> Result<(), Self::Error> {
        let (left, right) = (obs.first().copied().unwrap_or(0.0), obs.get(1).copied().unwrap_or(0.0));
        let base = 0.12f32;
        self.wheels = if left + right < 1e-3 {
            [0.1, -0.1]
        } else {
            let turn = 0.6 * (left - right) / (left + right);
            [(base * (1.0 - turn)).clamp(-0.2, 0.2), (base * (1.0 + turn)).clamp(-0.2, 0.2)]
        };
        Ok(())
    }

    fn action(&self) -> Action<'_> {
        Action::Continuous(&self.wheels)
    }
}
