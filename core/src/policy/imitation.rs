//! Learning from a teacher: the teacher acts (with a fraction of random actions, so the states
//! visited include recoveries) while the student learns, at every step, the teacher's choice.

use super::Policy;
use crate::env::{Action, Space};
use crate::rng::NetRng;

/// A teacher acting with exploration while a student learns from it.
///
/// At every step the teacher and the student act on the observation, the student learns the
/// teacher's action ([`Policy::learn`]), and the action taken is the teacher's, or, with
/// probability `explore`, a uniformly random one (discrete action spaces only; a continuous
/// teacher's action is always taken). The exploration generator is seeded once, at
/// construction, and runs on across episodes.
///
/// Draws per step: one uniform word for the coin, and one `below(n)` when it explores.
#[derive(Clone, Debug)]
pub struct Imitation<T, S> {
    teacher: T,
    student: S,
    actions: Space,
    explore: f32,
    rng: NetRng,
    random: Option<usize>,
}

impl<T, S> Imitation<T, S> {
    /// `teacher` teaches `student` in `actions`, taking a random action with probability
    /// `explore`, drawn from a generator seeded by `seed`.
    pub fn new(teacher: T, student: S, actions: Space, explore: f32, seed: u64) -> Self {
        Imitation { teacher, student, actions, explore, rng: NetRng::seed_from_u64(seed), random: None }
    }

    /// The teacher.
    pub fn teacher(&self) -> &T {
        &self.teacher
    }

    /// The student.
    pub fn student(&self) -> &S {
        &self.student
    }

    /// Gives the student back.
    pub fn into_student(self) -> S {
        self.student
    }
}

impl<E, T: Policy<Error = E>, S: Policy<Error = E>> Policy for Imitation<T, S> {
    type Error = E;

    fn reset(&mut self, seed: u64) -> Result<(), E> {
        self.teacher.reset(seed)?;
        self.student.reset(seed)
    }

    fn act(&mut self, observation: &[f32]) -> Result<(), E> {
        self.teacher.act(observation)?;
        self.student.act(observation)?;
        self.student.learn(self.teacher.action())?;
        self.random = match (self.teacher.action(), self.actions) {
            (Action::Discrete(_), Space::Discrete(n)) if self.rng.uniform_f32() < self.explore => {
                Some(self.rng.below(n as u32) as usize)
            }
            _ => None,
        };
        Ok(())
    }

    fn action(&self) -> Action<'_> {
        match self.random {
            Some(a) => Action::Discrete(a),
            None => self.teacher.action(),
        }
    }
}
