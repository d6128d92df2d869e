//! The core's plants for `neuroloop.envs`: one environment, the host's vectorised environment,
//! and trained controllers as policies.

use neuroloop_core::env::{Action, AnyEnv, Env, EnvId, Space};
use neuroloop_core::policy::Policy;
use neuroloop_host::control::{Controller, ControllerPolicy, evaluate};
use neuroloop_host::env::vec_env::{Actions, VecEnv};
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1};
use pyo3::prelude::*;

use crate::{anyhow_error, value_error};

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Plant>()?;
    m.add_class::<VecPlant>()?;
    m.add_class::<ControllerPy>()?;
    m.add_function(wrap_pyfunction!(env_ids, m)?)?;
    Ok(())
}

/// Every registered environment id (gymnasium's names).
#[pyfunction]
fn env_ids() -> Vec<&'static str> {
    EnvId::ALL.iter().map(|e| e.name()).collect()
}

fn parse_id(id: &str) -> PyResult<EnvId> {
    id.parse::<EnvId>().map_err(value_error)
}

/// A space as `("discrete", n, None, None)` or `("box", dim, low, high)`.
type SpaceDesc = (&'static str, usize, Option<Vec<f32>>, Option<Vec<f32>>);

fn describe(s: Space) -> SpaceDesc {
    match s {
        Space::Discrete(n) => ("discrete", n, None, None),
        Space::Box { low, high } => ("box", low.len(), Some(low.to_vec()), Some(high.to_vec())),
    }
}

/// An action from Python: an index for a discrete space, float32 values for a box.
enum PyAction {
    Discrete(usize),
    Continuous(Vec<f32>),
}

impl PyAction {
    fn extract(space: Space, action: &Bound<'_, PyAny>) -> PyResult<PyAction> {
        Ok(match space {
            Space::Discrete(_) => {
                PyAction::Discrete(action.extract::<usize>().map_err(|_| {
                    pyo3::exceptions::PyTypeError::new_err("a discrete action is a non-negative integer")
                })?)
            }
            Space::Box { .. } => {
                PyAction::Continuous(action.extract::<PyReadonlyArray1<'_, f32>>()?.as_array().to_vec())
            }
        })
    }

    fn as_action(&self) -> Action<'_> {
        match self {
            PyAction::Discrete(a) => Action::Discrete(*a),
            PyAction::Continuous(v) => Action::Continuous(v),
        }
    }
}

/// One plant of the core's registry.
#[pyclass(module = "neuroloop._neuroloop")]
#[derive(Clone)]
pub struct Plant {
    env: AnyEnv,
    id: EnvId,
}

#[pymethods]
impl Plant {
    /// The plant registered as `id` (e.g. "CartPole-v1").
    #[new]
    fn new(id: &str) -> PyResult<Self> {
        let id = parse_id(id)?;
        Ok(Plant { env: id.make(), id })
    }

    /// The gymnasium id.
    #[getter]
    fn id(&self) -> &'static str {
        self.id.name()
    }

    /// The observation space (see [`describe`]).
    fn observation_space(&self) -> SpaceDesc {
        describe(self.env.observation_space())
    }

    /// The action space.
    fn action_space(&self) -> SpaceDesc {
        describe(self.env.action_space())
    }

    /// Steps of the id's time limit.
    #[getter]
    fn time_limit(&self) -> u32 {
        self.env.time_limit()
    }

    /// Starts an episode seeded by `seed`; the first observation (float32).
    fn reset<'py>(&mut self, py: Python<'py>, seed: u64) -> Bound<'py, PyArray1<f32>> {
        PyArray1::from_slice(py, self.env.reset(seed))
    }

    /// One step: `(observation, reward, terminated, truncated)`. A refused action raises
    /// ValueError and changes nothing.
    fn step<'py>(
        &mut self,
        py: Python<'py>,
        action: &Bound<'py, PyAny>,
    ) -> PyResult<(Bound<'py, PyArray1<f32>>, f64, bool, bool)> {
        let a = PyAction::extract(self.env.action_space(), action)?;
        let t = self.env.step(a.as_action()).map_err(value_error)?;
        Ok((PyArray1::from_slice(py, self.env.observation()), t.reward, t.terminated, t.truncated))
    }

    /// The plant's internal state (float64).
    fn state<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, self.env.state())
    }

    /// Sets the internal state and starts an episode there (replays against gymnasium); the
    /// first observation.
    fn set_state<'py>(&mut self, py: Python<'py>, state: Vec<f64>) -> PyResult<Bound<'py, PyArray1<f32>>> {
        self.env.set_state(&state).map_err(value_error)?;
        Ok(PyArray1::from_slice(py, self.env.observation()))
    }

    /// Steps taken in the current episode.
    #[getter]
    fn steps(&self) -> u32 {
        self.env.steps()
    }
}

/// `n` copies of one plant stepped together (gymnasium's `SyncVectorEnv` with `NextStep`
/// autoreset; see the host's `VecEnv`).
#[pyclass(module = "neuroloop._neuroloop")]
pub struct VecPlant {
    env: VecEnv,
    id: EnvId,
}

#[pymethods]
impl VecPlant {
    /// `n` copies of the plant `id`.
    #[new]
    fn new(id: &str, n: usize) -> PyResult<Self> {
        let id = parse_id(id)?;
        Ok(VecPlant { env: VecEnv::new(id, n).map_err(anyhow_error)?, id })
    }

    /// Copies.
    fn __len__(&self) -> usize {
        self.env.len()
    }

    /// Resets copy `i` with `seed + i`; the observations `(n, obs_dim)`.
    fn reset<'py>(&mut self, py: Python<'py>, seed: u64) -> PyResult<Bound<'py, PyAny>> {
        let obs = self.env.reset(seed);
        Ok(PyArray1::from_vec(py, obs).reshape([self.env.len(), self.env.obs_dim()])?.into_any())
    }

    /// Steps every copy: `(observations (n, obs_dim), rewards (n,), terminated (n,),
    /// truncated (n,))`. `actions` is `(n,)` integers or `(n, action_dim)` float32.
    #[allow(clippy::type_complexity)]
    fn step<'py>(
        &mut self,
        py: Python<'py>,
        actions: &Bound<'py, PyAny>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<bool>>, Bound<'py, PyArray1<bool>>)>
    {
        let discrete = matches!(self.id.make().action_space(), Space::Discrete(_));
        let out = if discrete {
            let a: Vec<usize> = actions.extract::<Vec<usize>>().map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err("discrete actions are a sequence of non-negative integers")
            })?;
            let env = &mut self.env;
            py.detach(|| env.step(Actions::Discrete(&a)))
        } else {
            let a: Vec<f32> =
                actions.extract::<numpy::PyReadonlyArrayDyn<'_, f32>>()?.as_array().iter().copied().collect();
            let env = &mut self.env;
            py.detach(|| env.step(Actions::Continuous(&a)))
        }
        .map_err(anyhow_error)?;
        let obs = PyArray1::from_vec(py, out.observations).reshape([self.env.len(), self.env.obs_dim()])?.into_any();
        Ok((
            obs,
            PyArray1::from_vec(py, out.rewards),
            PyArray1::from_vec(py, out.terminated),
            PyArray1::from_vec(py, out.truncated),
        ))
    }
}

/// A trained controller (a CTRNN model file or a SORN controller file) acting in one plant.
#[pyclass(module = "neuroloop._neuroloop", name = "Controller")]
pub struct ControllerPy {
    controller: Controller,
    policy: ControllerPolicy,
    actions: Space,
    id: EnvId,
}

#[pymethods]
impl ControllerPy {
    /// Reads a controller file for the plant `env_id` (refused if it does not fit it).
    #[new]
    fn new(path: std::path::PathBuf, env_id: &str) -> PyResult<Self> {
        let id = parse_id(env_id)?;
        let controller = Controller::load(&path, id).map_err(anyhow_error)?;
        let actions = id.make().action_space();
        let policy = controller.policy(actions).map_err(anyhow_error)?;
        Ok(ControllerPy { controller, policy, actions, id })
    }

    /// Starts an episode (the controller's state back to its start, noise seeded by `seed`).
    #[pyo3(signature = (seed = 0))]
    fn reset(&mut self, seed: u64) -> PyResult<()> {
        self.policy.reset(seed).map_err(value_error)
    }

    /// The action for `observation`: an int for a discrete plant, a float32 array for a box.
    fn act<'py>(&mut self, py: Python<'py>, observation: PyReadonlyArray1<'py, f32>) -> PyResult<Bound<'py, PyAny>> {
        let obs = observation.as_array().to_vec();
        self.policy.act(&obs).map_err(value_error)?;
        Ok(match self.policy.action() {
            Action::Discrete(a) => a.into_pyobject(py)?.into_any(),
            Action::Continuous(v) => PyArray1::from_slice(py, v).into_any(),
        })
    }

    /// The plant this controller was loaded for.
    #[getter]
    fn env_id(&self) -> &'static str {
        self.id.name()
    }

    /// Runs `episodes` episodes on the plant (episode `i` from reset seed `seed + i`, in
    /// parallel on the host's threads, through the core's episode loop); `(episodes, mean
    /// return, std, terminated fraction)`. The GIL is released.
    #[pyo3(signature = (episodes, seed = 0))]
    fn evaluate(&self, py: Python<'_>, episodes: u64, seed: u64) -> PyResult<(usize, f64, f64, f64)> {
        let (c, id) = (&self.controller, self.id);
        let s = py.detach(|| evaluate(c, id, episodes, seed)).map_err(anyhow_error)?;
        Ok((s.episodes, s.mean, s.std, s.terminated_fraction))
    }

    /// The action space as [`describe`] gives it.
    fn action_space(&self) -> SpaceDesc {
        describe(self.actions)
    }
}
