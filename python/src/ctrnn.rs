//! CTRNN models for `neuroloop.ctrnn`: the host's model file, and batched forward passes of
//! the core's network.

use neuroloop_core::ctrnn::{Ctrnn, Noise};
use neuroloop_core::rng::NetRng;
use neuroloop_host::ctrnn::{LoadOptions, Model, step_batch_parallel};
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray2, PyReadonlyArray3};
use pyo3::prelude::*;

use crate::value_error;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<CtrnnModel>()?;
    Ok(())
}

/// A CTRNN model (the host's `neuroloop-ctrnn` model file, spec section 11).
#[pyclass(module = "neuroloop._neuroloop")]
#[derive(Clone)]
pub struct CtrnnModel {
    model: Model,
}

/// What one forward pass returns: outputs `(B, T, O)`, rates `(B, T, H)`, pre-activations
/// `(B, T, H)`, flat.
type Trajectories = (Vec<f32>, Vec<f32>, Vec<f32>);

impl CtrnnModel {
    fn forward_flat(
        &self,
        u: &[f32],
        batch: usize,
        steps: usize,
        v0: &[f32],
        seed: Option<u64>,
    ) -> PyResult<Trajectories> {
        let d = self.model.dims;
        let (h, o, i) = (d.hidden, d.outputs, d.inputs);
        let net = self.model.network().map_err(value_error)?;
        let mut rng = seed.map(NetRng::seed_from_u64);
        if rng.is_none() {
            return batched(&net, u, batch, steps, v0);
        }
        let (mut ys, mut rs, mut vs) = (
            Vec::with_capacity(batch * steps * o),
            Vec::with_capacity(batch * steps * h),
            Vec::with_capacity(batch * steps * h),
        );
        let mut state = vec![0.0f32; 2 * h];
        let mut y = vec![0.0f32; o];
        for b in 0..batch {
            let start = if v0.len() == h { v0 } else { &v0[b * h..(b + 1) * h] };
            net.init_state(start, &mut state).map_err(value_error)?;
            for t in 0..steps {
                let x = &u[(b * steps + t) * i..(b * steps + t + 1) * i];
                net.step(&mut state, x, &mut y, rng.as_mut())
                    .map_err(|e| value_error(format!("sample {b}, step {t}: {e}")))?;
                ys.extend_from_slice(&y);
                vs.extend_from_slice(&state[..h]);
                rs.extend_from_slice(&state[h..]);
            }
        }
        Ok((ys, rs, vs))
    }
}

/// A noise-free forward pass with the whole batch stepped together on every core
/// (`step_batch_parallel`: the same bits as stepping each sample alone), written out sample-major
/// as [`CtrnnModel::forward_flat`] does.
fn batched(net: &Ctrnn<Vec<f32>>, u: &[f32], batch: usize, steps: usize, v0: &[f32]) -> PyResult<Trajectories> {
    let d = net.dims();
    let (h, o, i) = (d.hidden, d.outputs, d.inputs);
    let mut states = vec![0.0f32; batch * 2 * h];
    for (b, state) in states.chunks_exact_mut(2 * h).enumerate() {
        let start = if v0.len() == h { v0 } else { &v0[b * h..(b + 1) * h] };
        net.init_state(start, state).map_err(value_error)?;
    }
    let (mut ys, mut rs, mut vs) =
        (vec![0.0f32; batch * steps * o], vec![0.0f32; batch * steps * h], vec![0.0f32; batch * steps * h]);
    let (mut x, mut y) = (vec![0.0f32; batch * i], vec![0.0f32; batch * o]);
    for t in 0..steps {
        for (b, xb) in x.chunks_exact_mut(i).enumerate() {
            xb.copy_from_slice(&u[(b * steps + t) * i..(b * steps + t + 1) * i]);
        }
        step_batch_parallel(net, &mut states, &x, &mut y).map_err(|e| value_error(format!("step {t}: {e}")))?;
        for (b, state) in states.chunks_exact(2 * h).enumerate() {
            let at = b * steps + t;
            ys[at * o..(at + 1) * o].copy_from_slice(&y[b * o..(b + 1) * o]);
            vs[at * h..(at + 1) * h].copy_from_slice(&state[..h]);
            rs[at * h..(at + 1) * h].copy_from_slice(&state[h..]);
        }
    }
    Ok((ys, rs, vs))
}

#[pymethods]
impl CtrnnModel {
    /// Parses a model file's text (every field checked, errors name the field). `clamp_on_load`
    /// repairs weights that break their masks; `allow_any_alpha` accepts learned alphas outside
    /// (0, 1].
    #[staticmethod]
    #[pyo3(signature = (text, clamp_on_load = false, allow_any_alpha = false))]
    fn from_json(text: &str, clamp_on_load: bool, allow_any_alpha: bool) -> PyResult<Self> {
        let loaded = Model::from_json(text, LoadOptions { clamp_on_load, allow_any_alpha }).map_err(value_error)?;
        // The network is built once here so that a model that cannot run is refused now.
        loaded.model.network().map_err(value_error)?;
        Ok(CtrnnModel { model: loaded.model })
    }

    /// The model file's text.
    fn to_json(&self) -> String {
        self.model.to_json()
    }

    /// `(inputs, hidden, outputs)`.
    #[getter]
    fn dims(&self) -> (usize, usize, usize) {
        let d = self.model.dims;
        (d.inputs, d.hidden, d.outputs)
    }

    /// The activation's name.
    #[getter]
    fn activation(&self) -> &'static str {
        self.model.activation.name()
    }

    /// The initial pre-activation `v0` `(H,)`.
    #[getter]
    fn v0<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f32>> {
        PyArray1::from_slice(py, &self.model.v0)
    }

    /// Noise standard deviations `(pre, post)`, used only by a forward pass given a seed.
    #[getter]
    fn noise(&self) -> (f32, f32) {
        (self.model.noise.pre, self.model.noise.post)
    }

    /// Sets the noise standard deviations (refused when negative or not finite).
    fn set_noise(&mut self, pre: f32, post: f32) -> PyResult<()> {
        let noise = Noise { pre, post, ..self.model.noise };
        let mut net = self.model.network().map_err(value_error)?;
        net.set_noise(noise).map_err(value_error)?;
        self.model.noise = noise;
        Ok(())
    }

    /// Runs `inputs` `(B, T, I)` float32 from `v0` (`(H,)` for every sample or `(B, H)`) and
    /// returns `(outputs (B, T, O), rates (B, T, H), preactivations (B, T, H))`. Noise-free
    /// unless `seed` is given, then drawn from the core's generator seeded by it. The GIL is
    /// released while the network runs.
    #[pyo3(signature = (inputs, v0, seed = None))]
    #[allow(clippy::type_complexity)]
    fn forward<'py>(
        &self,
        py: Python<'py>,
        inputs: PyReadonlyArray3<'py, f32>,
        v0: PyReadonlyArray2<'py, f32>,
        seed: Option<u64>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let d = self.model.dims;
        let (batch, steps, width) = inputs.as_array().dim();
        if width != d.inputs {
            return Err(value_error(format!("inputs have {width} features; the model has {} inputs", d.inputs)));
        }
        let (vb, vh) = v0.as_array().dim();
        if vh != d.hidden || (vb != 1 && vb != batch) {
            return Err(value_error(format!(
                "v0 has shape ({vb}, {vh}); the model needs ({}, {}) or ({}, {})",
                1, d.hidden, batch, d.hidden
            )));
        }
        let u: Vec<f32> = inputs.as_array().iter().copied().collect();
        let v0: Vec<f32> = v0.as_array().iter().copied().collect();
        let (ys, rs, vs) = py.detach(|| self.forward_flat(&u, batch, steps, &v0, seed))?;
        Ok((
            PyArray1::from_vec(py, ys).reshape([batch, steps, d.outputs])?.into_any(),
            PyArray1::from_vec(py, rs).reshape([batch, steps, d.hidden])?.into_any(),
            PyArray1::from_vec(py, vs).reshape([batch, steps, d.hidden])?.into_any(),
        ))
    }

    /// Pickling goes through the model file.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String, bool, bool))> {
        let ctor = slf.get_type().getattr("from_json")?;
        Ok((ctor, (slf.borrow().model.to_json(), false, true)))
    }

    fn __repr__(&self) -> String {
        let d = self.model.dims;
        format!(
            "CtrnnModel(inputs={}, hidden={}, outputs={}, activation={})",
            d.inputs,
            d.hidden,
            d.outputs,
            self.activation()
        )
    }
}
