//! SORN networks for `neuroloop.sorn`: build, run with the package's recorders, the package's
//! state arrays, snapshots.

use neuroloop_core::bits::Bits;
use neuroloop_core::sorn::{Buffers, Config, DenseState, Freeze, Mode, Phase, Rule, Synapses};
use neuroloop_host::sorn::record::{RecordSpec, Recorder, Recordings};
use neuroloop_host::sorn::snapshot::{self, Snapshot};
use neuroloop_host::sorn::{HostSorn, Inputs, Raster, RunSpec, build, simulate, simulate_observed};
use numpy::{PyArray1, PyArrayDyn, PyArrayMethods, PyReadonlyArray2};
use pyo3::exceptions::PyMemoryError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::{anyhow_error, value_error};

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<SornNetwork>()?;
    m.add_function(wrap_pyfunction!(sorn_default_config, m)?)?;
    m.add_function(wrap_pyfunction!(sorn_check_config, m)?)?;
    Ok(())
}

/// The package's default configuration as JSON (the core's `Config::DEFAULT`, field names as
/// the package's keywords).
#[pyfunction]
fn sorn_default_config() -> PyResult<String> {
    serde_json::to_string(&Config::DEFAULT).map_err(value_error)
}

/// The config fields a continuing network may change (they size nothing).
const RATES: [&str; 6] = ["eta_stdp", "eta_inhib", "eta_ip", "mu_ip", "te_min", "te_max"];

/// Checks a JSON config as building a network would (the core's `Config::validate` and the
/// host's memory budget), without building one; returns the complete config as JSON.
#[pyfunction]
fn sorn_check_config(config_json: &str) -> PyResult<String> {
    let cfg: Config = serde_json::from_str(config_json).map_err(|e| value_error(format!("SORN config: {e}")))?;
    cfg.validate().map_err(|e| value_error(format!("invalid SORN config: {e}")))?;
    let bytes = neuroloop_core::sorn::Layout::new(&cfg).bytes() as u64;
    neuroloop_host::budget::check(
        format!("a SORN of ne = {}, ni = {}", cfg.ne, cfg.ni),
        bytes,
        neuroloop_host::budget::bytes(),
    )
    .map_err(value_error)?;
    serde_json::to_string(&cfg).map_err(value_error)
}

/// A SORN network of the core (in the host's `Vec` buffers) with the seed it was built from.
#[pyclass(module = "neuroloop._neuroloop")]
#[derive(Clone)]
pub struct SornNetwork {
    net: HostSorn,
    seed: u64,
}

/// A `Vec<f32>` as a float64 numpy array of `shape` (the package returns float64).
fn f64_array<'py>(py: Python<'py>, v: impl IntoIterator<Item = f32>, shape: &[usize]) -> PyResult<Bound<'py, PyAny>> {
    let v: Vec<f64> = v.into_iter().map(f64::from).collect();
    Ok(PyArray1::from_vec(py, v).reshape(shape.to_vec())?.into_any())
}

/// Two spike vectors as the columns of an `n x 2` row-major matrix (the package's `X`, `Y`).
fn two_cols(prev: Bits<'_>, cur: Bits<'_>, n: usize) -> Vec<f32> {
    (0..n).flat_map(|i| [f32::from(u8::from(prev.get(i))), f32::from(u8::from(cur.get(i)))]).collect()
}

/// A float64 array of `shape` allocated by numpy (which asks the kernel for huge pages for large
/// arrays: filling 64 MB of weight matrices is then several times faster than from a `Vec`),
/// filled by `fill` with the GIL released.
fn numpy_f64<'py>(
    py: Python<'py>,
    shape: Vec<usize>,
    fill: impl FnOnce(&mut [f64]) + Send,
) -> PyResult<Bound<'py, PyAny>> {
    let arr = PyArrayDyn::<f64>::zeros(py, shape, false);
    {
        let mut rw = arr.readwrite();
        let out = rw.as_slice_mut()?;
        py.detach(|| fill(out));
    }
    Ok(arr.into_any())
}

/// Rows of a raster as 0.0 / 1.0 into `out` (`T x units`).
fn raster_rows(r: &Raster, out: &mut [f64]) {
    let n = r.units();
    for (s, row) in out.chunks_exact_mut(n.max(1)).enumerate().take(r.steps()) {
        for (i, v) in row.iter_mut().enumerate() {
            *v = if r.get(s, i) { 1.0 } else { 0.0 };
        }
    }
}

/// `m` written densely in the package's `[pre][post]` order into `out` (`n_pre x n_post`, all
/// zero before): only the synapses are written.
fn write_dense_f64(m: Synapses<'_>, out: &mut [f64]) {
    let n_post = m.n_post();
    for (pre, row) in out.chunks_exact_mut(n_post.max(1)).enumerate().take(m.n_pre()) {
        let (posts, w) = m.outgoing(pre);
        for (&post, &w) in posts.iter().zip(w) {
            if let Some(v) = row.get_mut(post as usize) {
                *v = f64::from(w);
            }
        }
    }
}

/// Lead of the page-touching thread over the network, in steps (measured: 8 and 1,000 give the
/// same time; a short lead holds fewer matrices in flight).
const TOUCH_LEAD: usize = 8;

/// [`simulate`] with the `WEE` / `WEI` recordings written straight into zeroed numpy arrays
/// (`T x n_pre x ne`, one per entry of `dense`) as the network steps. Most of the time of
/// returning 200 weight matrices goes into the kernel handing out and zeroing 64 MB of fresh
/// pages, so a second thread touches each step's pages ahead of the network, and that work runs
/// beside the network instead of after it. (Two touching threads, on halves of the steps or on
/// alternating 4-16-step blocks, measured no faster on 2 cores: the kernel's zeroing is bound
/// by memory, ~6 GB/s here.)
fn simulate_dense(
    net: &mut HostSorn,
    spec: &RunSpec,
    inputs: Inputs<'_>,
    dense: Vec<(Recorder, &mut [f64])>,
) -> anyhow::Result<Recordings> {
    if dense.is_empty() {
        return simulate(net, spec, inputs);
    }
    let (ne, ni) = (net.config().ne as usize, net.config().ni as usize);
    let kinds: Vec<Recorder> = dense.iter().map(|(r, _)| *r).collect();
    let mut per_kind: Vec<_> = dense
        .into_iter()
        .map(|(r, out)| out.chunks_exact_mut((if r == Recorder::Wee { ne } else { ni } * ne).max(1)))
        .collect();
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<&mut [f64]>>(TOUCH_LEAD);
        s.spawn(move || {
            // Step t's matrices, one per recorder, in step order.
            while let Some(mut mats) = per_kind.iter_mut().map(Iterator::next).collect::<Option<Vec<_>>>() {
                // A write per 4 KiB page faults it in; the values stay zero.
                for m in &mut mats {
                    m.iter_mut().step_by(512).for_each(|v| *v = 0.0);
                }
                if tx.send(mats).is_err() {
                    break;
                }
            }
        });
        let run = simulate_observed(net, spec, inputs, |t, net, _| {
            let mats = rx.recv().map_err(|_| anyhow::anyhow!("no weight matrix for step {t}"))?;
            for (kind, m) in kinds.iter().zip(mats) {
                write_dense_f64(if *kind == Recorder::Wee { net.wee() } else { net.wei() }, m);
            }
            Ok(())
        });
        // The touching thread stops at its next send.
        drop(rx);
        run
    })
}

/// The recordings as `{name: array}`, each array stacking the steps on axis 0 in the element
/// shape the package records (`(T, ne)` spikes, `(T, ne, 1)` recurrent activation and
/// thresholds, `(T, n_pre, ne)` weights, `(T,)` int64 counts).
fn recordings_dict<'py>(
    py: Python<'py>,
    names: &[Recorder],
    rec: &Recordings,
    dense: Vec<(Recorder, Bound<'py, PyArrayDyn<f64>>)>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let (ne, ni) = (rec.ne, rec.ni);
    let mut dense = dense.into_iter();
    for r in names {
        let arr = match r {
            Recorder::ExcitatoryActivation | Recorder::InhibitoryActivation | Recorder::RecurrentActivation => {
                let raster = match r {
                    Recorder::ExcitatoryActivation => &rec.excitatory,
                    Recorder::InhibitoryActivation => &rec.inhibitory,
                    _ => &rec.recurrent,
                };
                let Some(raster) = raster else { continue };
                let (t, n) = (raster.steps(), raster.units());
                let shape: Vec<usize> = if *r == Recorder::RecurrentActivation { vec![t, n, 1] } else { vec![t, n] };
                numpy_f64(py, shape, |out| raster_rows(raster, out))?
            }
            Recorder::Wee | Recorder::Wei => match dense.next() {
                Some((k, arr)) if k == *r => arr.into_any(),
                _ => return Err(value_error(format!("internal: no {} array", r.name()))),
            },
            Recorder::Te | Recorder::Ti => {
                let (samples, n) = if *r == Recorder::Te { (&rec.te, ne) } else { (&rec.ti, ni) };
                let v = samples.iter().flat_map(|s| s.values.iter().copied());
                f64_array(py, v, &[samples.len(), n, 1])?
            }
            Recorder::EeConnectionCounts | Recorder::EiConnectionCounts => {
                let c = if *r == Recorder::EeConnectionCounts { &rec.ee_counts } else { &rec.ei_counts };
                PyArray1::from_vec(py, c.iter().map(|&c| i64::from(c)).collect::<Vec<i64>>()).into_any()
            }
        };
        d.set_item(r.name(), arr)?;
    }
    Ok(d)
}

#[pymethods]
impl SornNetwork {
    /// Builds a fresh network from a JSON config (the core's `Config` fields; missing ones take
    /// the package's defaults, unknown ones are refused) and a seed.
    #[new]
    fn new(config_json: &str, seed: u64) -> PyResult<Self> {
        let cfg: Config = serde_json::from_str(config_json).map_err(|e| value_error(format!("SORN config: {e}")))?;
        let net = build(&cfg, seed).map_err(value_error)?;
        Ok(SornNetwork { net, seed })
    }

    /// Runs `inputs.shape[1]` steps, column `t` of `inputs` (`nu` x T, float32) feeding step
    /// `t`. `phase` is "plasticity" or "training" (every rule frozen); `freeze` names rules
    /// skipped in the plasticity phase; `callbacks` are the package's recorder names. Returns
    /// `{name: array}` (see the module docs for the shapes). The GIL is released while the
    /// network steps.
    #[pyo3(signature = (inputs, phase, freeze, noise, callbacks))]
    fn run<'py>(
        &mut self,
        py: Python<'py>,
        inputs: PyReadonlyArray2<'py, f32>,
        phase: &str,
        freeze: Vec<String>,
        noise: bool,
        callbacks: Vec<String>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let phase: Phase = phase.parse().map_err(value_error)?;
        let mut f = Freeze::NONE;
        for name in &freeze {
            f = f.with(name.parse::<Rule>().map_err(value_error)?);
        }
        let mut record = RecordSpec::parse_list(&callbacks.join(",")).map_err(value_error)?;
        // As the package: counts before the step's plasticity; it keeps every step in memory.
        record.counts_before_step = true;
        record.budget_bytes = u64::MAX;
        let a = inputs.as_array();
        let (nu, steps) = a.dim();
        let (ne, ni) = (self.net.config().ne as usize, self.net.config().ni as usize);
        if nu != self.net.config().nu as usize {
            return Err(value_error(format!(
                "input has {nu} values; the network has nu = {} input channels",
                self.net.config().nu
            )));
        }
        // The weight matrices go straight into numpy arrays (`simulate_dense`), not through
        // the host's sparse samples.
        let names = record.recorders.clone();
        record.recorders.retain(|r| !matches!(r, Recorder::Wee | Recorder::Wei));
        let weights: Vec<(Recorder, usize)> = names
            .iter()
            .filter(|r| matches!(r, Recorder::Wee | Recorder::Wei))
            .map(|&r| (r, if r == Recorder::Wee { ne } else { ni }))
            .collect();
        // The weight recordings together against the budget, before numpy allocates.
        let bytes = weights.iter().fold(0u64, |sum, &(_, n_pre)| {
            sum.saturating_add(neuroloop_host::budget::items((steps as u64).saturating_mul((n_pre * ne) as u64), 8))
        });
        let what: Vec<&str> = weights.iter().map(|(r, _)| r.name()).collect();
        neuroloop_host::budget::check(
            format!("recording {} for {steps} steps", what.join(" and ")),
            bytes,
            neuroloop_host::budget::bytes(),
        )
        .map_err(|e| PyMemoryError::new_err(e.to_string()))?;
        let dense: Vec<_> = weights
            .iter()
            .map(|&(r, n_pre)| (r, PyArrayDyn::<f64>::zeros(py, vec![steps, n_pre, ne], false)))
            .collect();
        let matrix: Vec<f32> = a.iter().copied().collect();
        let spec = RunSpec { steps: steps as u64, mode: Mode { phase, freeze: f, noise }, record: Some(record) };
        let net = &mut self.net;
        let rec = {
            let mut rw: Vec<_> = dense.iter().map(|(r, arr)| (*r, arr.readwrite())).collect();
            let outs = rw.iter_mut().map(|(r, w)| Ok((*r, w.as_slice_mut()?))).collect::<PyResult<Vec<_>>>()?;
            py.detach(|| simulate_dense(net, &spec, Inputs::Matrix(&matrix), outs)).map_err(anyhow_error)?
        };
        recordings_dict(py, &names, &rec, dense)
    }

    /// The package's state dict arrays: `Wee` (ne x ne, [pre][post]), `Wei` (ni x ne), `Wie`
    /// (ne x ni), `Te` (ne x 1), `Ti` (ni x 1), `X` (ne x 2: x(T-1), x(T)), `Y` (ni x 2), all
    /// float64.
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let n = &self.net;
        let (ne, ni) = (n.config().ne as usize, n.config().ni as usize);
        let d = PyDict::new(py);
        let mut wee = vec![0.0f32; ne * ne];
        n.wee().write_dense(&mut wee);
        let mut wei = vec![0.0f32; ni * ne];
        n.wei().write_dense(&mut wei);
        d.set_item("Wee", f64_array(py, wee, &[ne, ne])?)?;
        d.set_item("Wei", f64_array(py, wei, &[ni, ne])?)?;
        let mut wie = vec![0.0f32; ne * ni];
        n.wie().write_dense(&mut wie);
        d.set_item("Wie", f64_array(py, wie, &[ne, ni])?)?;
        d.set_item("Te", f64_array(py, n.te().iter().copied(), &[ne, 1])?)?;
        d.set_item("Ti", f64_array(py, n.ti().iter().copied(), &[ni, 1])?)?;
        d.set_item("X", f64_array(py, two_cols(n.x_prev(), n.x(), ne), &[ne, 2])?)?;
        d.set_item("Y", f64_array(py, two_cols(n.y_prev(), n.y(), ni), &[ni, 2])?)?;
        Ok(d)
    }

    /// Changes the learning rates and threshold bounds of the continuing network (JSON object
    /// with any of `eta_stdp`, `eta_inhib`, `eta_ip`, `mu_ip`, `te_min`, `te_max`): the
    /// fields that do not change its layout. The state is checked against the new config.
    fn set_rates(&mut self, rates_json: &str) -> PyResult<()> {
        let rates: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(rates_json).map_err(|e| value_error(format!("rates: {e}")))?;
        let mut cfg = serde_json::to_value(self.net.config()).map_err(value_error)?;
        for (k, v) in rates {
            if !RATES.contains(&k.as_str()) {
                return Err(value_error(format!(
                    "{k} cannot change in a continuing network (it fixes the network's structure); rates are {}",
                    RATES.join(", ")
                )));
            }
            cfg[&k] = v;
        }
        let cfg: Config = serde_json::from_value(cfg).map_err(|e| value_error(format!("SORN config: {e}")))?;
        let b = self.net.buffers();
        let bufs = Buffers::new(b.f32s.to_vec(), b.u16s.to_vec(), b.u32s.to_vec());
        self.net = HostSorn::restore(&cfg, &self.net.scalars(), bufs).map_err(value_error)?;
        Ok(())
    }

    /// Replaces the weights, thresholds and spike state with the package's state arrays (float32,
    /// row-major: `Wee` ne x ne, `Wei` ni x ne, `Wie` ne x ni, `Te` ne, `Ti` ni, `X` ne x 2, `Y`
    /// ni x 2), keeping the config and the random stream (the core's `Sorn::import_dense`).
    #[allow(clippy::too_many_arguments)]
    fn import_state(
        &mut self,
        wee: PyReadonlyArray2<'_, f32>,
        wei: PyReadonlyArray2<'_, f32>,
        wie: PyReadonlyArray2<'_, f32>,
        te: PyReadonlyArray2<'_, f32>,
        ti: PyReadonlyArray2<'_, f32>,
        x: PyReadonlyArray2<'_, f32>,
        y: PyReadonlyArray2<'_, f32>,
    ) -> PyResult<()> {
        let flat = |a: &PyReadonlyArray2<'_, f32>| a.as_array().iter().copied().collect::<Vec<f32>>();
        let cols = |a: &PyReadonlyArray2<'_, f32>, what: &str| -> PyResult<(Vec<f32>, Vec<f32>)> {
            let v = a.as_array();
            if v.ncols() != 2 {
                return Err(value_error(format!("{what} must have 2 columns (previous, current), not {}", v.ncols())));
            }
            Ok((v.column(0).to_vec(), v.column(1).to_vec()))
        };
        let (x_prev, x_now) = cols(&x, "X")?;
        let (y_prev, y_now) = cols(&y, "Y")?;
        let (wee, wei, wie, te, ti) = (flat(&wee), flat(&wei), flat(&wie), flat(&te), flat(&ti));
        let d = DenseState {
            wee: &wee,
            wei: &wei,
            wie: &wie,
            te: &te,
            ti: &ti,
            x: &x_now,
            x_prev: &x_prev,
            y: &y_now,
            y_prev: &y_prev,
        };
        self.net.import_dense(&d).map_err(value_error)
    }

    /// An independent copy (same state, same random stream).
    fn copy(&self) -> Self {
        self.clone()
    }

    /// The config as JSON.
    fn config_json(&self) -> PyResult<String> {
        serde_json::to_string(self.net.config()).map_err(value_error)
    }

    /// Excitatory units.
    #[getter]
    fn ne(&self) -> u32 {
        self.net.config().ne
    }

    /// Inhibitory units.
    #[getter]
    fn ni(&self) -> u32 {
        self.net.config().ni
    }

    /// Input channels.
    #[getter]
    fn nu(&self) -> u32 {
        self.net.config().nu
    }

    /// The seed the network was built from.
    #[getter]
    fn seed(&self) -> u64 {
        self.seed
    }

    /// Steps taken since the network was built.
    #[getter]
    fn steps(&self) -> u64 {
        self.net.counters().steps
    }

    /// E->E and I->E synapse counts.
    fn connection_counts(&self) -> (u32, u32) {
        (self.net.ee_count(), self.net.ei_count())
    }

    /// The snapshot file's bytes (the format of `neuroloop sorn run --save`).
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let s = Snapshot { net: self.net.clone(), seed: self.seed, input_rng: None };
        let bytes = snapshot::encode(&s).map_err(value_error)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// A network from a snapshot file's bytes (every field checked).
    #[staticmethod]
    fn from_bytes(bytes: &[u8]) -> PyResult<Self> {
        let s = snapshot::decode(bytes).map_err(value_error)?;
        Ok(SornNetwork { net: s.net, seed: s.seed })
    }

    /// Writes a snapshot file that `neuroloop sorn run --load` reads.
    fn save(&self, path: std::path::PathBuf) -> PyResult<()> {
        let s = Snapshot { net: self.net.clone(), seed: self.seed, input_rng: None };
        snapshot::save(&path, &s).map_err(value_error)
    }

    /// Reads a snapshot file (also those `neuroloop sorn run --save` writes).
    #[staticmethod]
    fn load(path: std::path::PathBuf) -> PyResult<Self> {
        let s = snapshot::load(&path).map_err(value_error)?;
        Ok(SornNetwork { net: s.net, seed: s.seed })
    }

    /// Pickling goes through the snapshot bytes (process pools, Ray, Dask).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let py = slf.py();
        let ctor = slf.get_type().getattr("from_bytes")?;
        Ok((ctor, (slf.borrow().to_bytes(py)?,)))
    }

    fn __repr__(&self) -> String {
        let c = self.net.config();
        format!("SornNetwork(ne={}, ni={}, nu={}, seed={}, steps={})", c.ne, c.ni, c.nu, self.seed, self.steps())
    }
}
