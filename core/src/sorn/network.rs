//! The network: construction, and one step from top to bottom.

use super::config::Config;
use super::ie::{self, Wie};
use super::import::{self, DenseState, ImportError};
use super::init::{self, InitReport};
use super::layout::{Buffers, Layout, Matrix, Parts};
use super::mode::{Mode, Phase, Rule};
use super::plasticity::{self, RuleCounts};
use super::snapshot::{self, RestoreError, Scalars};
use super::synapses::{Marks, Synapses};
use super::{Error, StepError};
use crate::bits::{Bits, Ones, words_for};
use crate::layout::BufferError;
use crate::layout::{Span, Storage};
use crate::rng::NetRng;

/// Running totals since the network was built.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Counters {
    /// Steps taken.
    pub steps: u64,
    /// E->E synapses pruned by STDP.
    pub ee_pruned: u64,
    /// I->E synapses pruned by iSTDP.
    pub ei_pruned: u64,
    /// E->E synapses created by structural plasticity.
    pub sp_created: u64,
    /// Structural-plasticity creations refused because the capacity was full.
    pub sp_capacity_refusals: u64,
    /// Normalisations that met a unit with zero incoming weight (kept at zero, never NaN).
    pub empty_rows: u64,
}

/// What one step did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StepReport {
    /// Excitatory units active after the step.
    pub active_e: u32,
    /// Inhibitory units active after the step.
    pub active_i: u32,
    /// What the plasticity rules did.
    pub rules: RuleCounts,
}

/// A self-organising recurrent network living in caller-owned buffers.
///
/// ```
/// use neuroloop_core::sorn::{Buffers, Config, Layout, Sorn};
/// let cfg = Config::DEFAULT;
/// let l = Layout::new(&cfg);
/// let bufs = Buffers::new(vec![0.0f32; l.f32_len], vec![0u16; l.u16_len], vec![0u32; l.u32_len]);
/// let mut net = Sorn::new(&cfg, 42, bufs)?;
/// let input = [0.5f32; 10];
/// for _ in 0..100 {
///     net.step(&input)?;
/// }
/// assert_eq!(net.counters().steps, 100);
/// assert!(net.te().iter().all(|t| (0.0..=1.0).contains(t)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Sorn<F, H, W> {
    cfg: Config,
    layout: Layout,
    bufs: Buffers<F, H, W>,
    rng: NetRng,
    mode: Mode,
    /// Which half of the x / y double buffers holds the current state.
    cur: usize,
    counters: Counters,
    init: InitReport,
}

impl<F, H, W> Sorn<F, H, W>
where
    F: Storage<f32>,
    H: Storage<u16>,
    W: Storage<u32>,
{
    /// Validates `cfg`, checks the buffers against [`Layout::new`], and builds a fresh network
    /// from `seed` (spec section 2). All units start silent. Initialisation writes every array
    /// of the layout, so the buffers' previous contents (another network's, say) never change
    /// the result.
    pub fn new(cfg: &Config, seed: u64, bufs: Buffers<F, H, W>) -> Result<Self, Error> {
        cfg.validate().map_err(Error::Config)?;
        let mut net = Self::checked(cfg, bufs, Scalars::default()).map_err(Error::Buffer)?;
        net.reset(seed);
        Ok(net)
    }

    /// The network over buffers checked against the (valid) config's layout, with `s` as its
    /// scalar state; the buffers' contents are not looked at.
    fn checked(cfg: &Config, bufs: Buffers<F, H, W>, s: Scalars) -> Result<Self, BufferError> {
        let layout = Layout::new(cfg);
        bufs.check(&layout)?;
        let rng = NetRng::from_state(s.rng);
        let (mode, cur, counters, init) = (s.mode, usize::from(s.cur), s.counters, s.init);
        Ok(Sorn { cfg: *cfg, layout, bufs, rng, mode, cur, counters, init })
    }

    /// Rebuilds the network in place as [`Sorn::new`] would from `seed` (same config, same
    /// buffers, mode and counters back to their defaults): a fresh reservoir for every episode
    /// without giving the buffers back.
    ///
    /// ```
    /// # use neuroloop_core::sorn::*;
    /// # let l = Layout::new(&Config::DEFAULT);
    /// # let new_bufs = || Buffers::new(vec![0.0f32; l.f32_len], vec![0u16; l.u16_len], vec![0u32; l.u32_len]);
    /// let mut a = Sorn::new(&Config::DEFAULT, 1, new_bufs())?;
    /// a.step(&[0.5; 10])?;
    /// a.reset(4);
    /// let b = Sorn::new(&Config::DEFAULT, 4, new_bufs())?;
    /// assert!(a.buffers() == b.buffers() && a.scalars() == b.scalars());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reset(&mut self, seed: u64) {
        self.rng = NetRng::seed_from_u64(seed);
        self.mode = Mode::default();
        self.cur = 0;
        self.counters = Counters::default();
        let Sorn { bufs, layout, rng, cfg, init, .. } = self;
        // The buffers were checked when the network was built.
        if let Some(mut p) = layout.split(bufs.f32s.as_mut(), bufs.u16s.as_mut(), bufs.u32s.as_mut()) {
            *init = init::initialise(cfg, &mut p, rng);
        }
    }

    /// Rebuilds a network from saved state: `cfg` and `scalars` as [`Sorn::scalars`] returned
    /// them, and buffers holding what [`Sorn::buffers`] returned (any longer buffers are fine).
    /// Every array is checked first; inconsistent state is an error, never a later panic.
    ///
    /// ```
    /// use neuroloop_core::sorn::{Buffers, Config, Layout, Sorn};
    /// let cfg = Config::DEFAULT;
    /// let l = Layout::new(&cfg);
    /// let new_bufs = || Buffers::new(vec![0.0f32; l.f32_len], vec![0u16; l.u16_len], vec![0u32; l.u32_len]);
    /// let mut a = Sorn::new(&cfg, 5, new_bufs())?;
    /// a.step(&[0.5; 10])?;
    /// let b = a.buffers();
    /// let saved = Buffers::new(b.f32s.to_vec(), b.u16s.to_vec(), b.u32s.to_vec());
    /// let mut b = Sorn::restore(&cfg, &a.scalars(), saved)?;
    /// a.step(&[0.5; 10])?;
    /// b.step(&[0.5; 10])?;
    /// assert_eq!(a.x(), b.x());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn restore(cfg: &Config, scalars: &Scalars, bufs: Buffers<F, H, W>) -> Result<Self, RestoreError> {
        cfg.validate().map_err(RestoreError::Config)?;
        let mut net = Self::checked(cfg, bufs, *scalars).map_err(RestoreError::Buffer)?;
        let Sorn { bufs, layout, .. } = &mut net;
        let p = layout
            .split(bufs.f32s.as_mut(), bufs.u16s.as_mut(), bufs.u32s.as_mut())
            .ok_or(RestoreError::Corrupt { what: "buffer lengths" })?;
        snapshot::validate(cfg, scalars, &p)?;
        Ok(net)
    }

    /// Rebuilds a network whose config sets `lambda_ie` from state saved in the dense E->I
    /// layout, which neuroloop used for every config before E->I lists (snapshot format 3 and
    /// older): `dense` is laid out by [`Layout::new`] of the same config with `lambda_ie: None`.
    /// Its E->I matrix becomes lists (its nonzero entries, which are the synapses), everything
    /// else is copied as it is into `bufs`, and the result is checked as [`Sorn::restore`]
    /// checks it; the network continues with the same spikes. With `lambda_ie` unset the two
    /// layouts are the same and this is a copy and a restore.
    pub fn restore_dense_ie(
        cfg: &Config,
        scalars: &Scalars,
        dense: Buffers<&[f32], &[u16], &[u32]>,
        mut bufs: Buffers<F, H, W>,
    ) -> Result<Self, RestoreError> {
        cfg.validate().map_err(RestoreError::Config)?;
        let (old, new) = (Layout::new(&Config { lambda_ie: None, ..*cfg }), Layout::new(cfg));
        for (what, needed, got) in [
            ("f32", old.f32_len, dense.f32s.len()),
            ("u16", old.u16_len, dense.u16s.len()),
            ("u32", old.u32_len, dense.u32s.len()),
        ] {
            BufferError::check(what, needed, got).map_err(RestoreError::Buffer)?;
        }
        bufs.check(&new).map_err(RestoreError::Buffer)?;
        let corrupt = RestoreError::Corrupt { what: "E->I" };
        let (of, oh, ow) = (&dense.f32s[..old.f32_len], &dense.u16s[..old.u16_len], &dense.u32s[..old.u32_len]);
        let wie = old.f32s.ie_w.of(of);
        if !wie.iter().all(|w| w.is_finite()) {
            return Err(corrupt);
        }
        if new.ie_sparse && ie::nonzero(wie) > new.ie_capacity {
            return Err(RestoreError::Corrupt { what: "E->I (more synapses than the lambda_ie capacity holds)" });
        }
        // Only the E->I arrays differ between the layouts: copy what lies before and after them.
        fn around<T: Copy>(to: &mut [T], to_span: Span, to_len: usize, from: &[T], from_span: Span) {
            to[..to_span.start].copy_from_slice(&from[..from_span.start]);
            to[to_span.end()..to_len].copy_from_slice(&from[from_span.end()..]);
        }
        around(bufs.f32s.as_mut(), new.f32s.ie_w, new.f32_len, of, old.f32s.ie_w);
        around(bufs.u16s.as_mut(), new.u16s.ie_post, new.u16_len, oh, old.u16s.ie_post);
        around(bufs.u32s.as_mut(), new.u32s.ie_off, new.u32_len, ow, old.u32s.ie_off);
        let mut p = new.split(bufs.f32s.as_mut(), bufs.u16s.as_mut(), bufs.u32s.as_mut()).ok_or(corrupt)?;
        p.ie.fill_from_dense(wie);
        Self::restore(cfg, scalars, bufs)
    }

    /// Replaces the network's weights, thresholds and spike state with the Python package's
    /// dense arrays ([`DenseState`], its `state` dict), keeping the config, the random stream and
    /// the counters. Every array is checked first (nothing changes on an error). Every unit is
    /// marked for normalisation, as the package renormalises every column each step. The
    /// synapse lists are rebuilt from the nonzero weights, so the layout must hold them.
    ///
    /// ```
    /// use neuroloop_core::sorn::{Buffers, Config, DenseState, Layout, Sorn};
    /// let cfg = Config { lambda_ei: 10.0, ..Config::with_size(30, 5) };
    /// let l = Layout::new(&cfg);
    /// let new_bufs = || Buffers::new(vec![0.0f32; l.f32_len], vec![0u16; l.u16_len], vec![0u32; l.u32_len]);
    /// let mut a = Sorn::new(&cfg, 1, new_bufs())?;
    /// a.step(&[0.5; 5])?;
    /// // Export to dense arrays and import into another network: it continues identically.
    /// let (ne, ni) = (30, 6);
    /// let (mut wee, mut wei) = (vec![0.0; ne * ne], vec![0.0; ni * ne]);
    /// a.wee().write_dense(&mut wee);
    /// a.wei().write_dense(&mut wei);
    /// let bits = |b: neuroloop_core::bits::Bits<'_>, n: usize| (0..n).map(|i| f32::from(u8::from(b.get(i)))).collect::<Vec<_>>();
    /// let (x, xp, y, yp) = (bits(a.x(), ne), bits(a.x_prev(), ne), bits(a.y(), ni), bits(a.y_prev(), ni));
    /// let mut b = Sorn::new(&cfg, 2, new_bufs())?;
    /// let mut wie = vec![0.0; ne * ni];
    /// a.wie().write_dense(&mut wie);
    /// let d = DenseState { wee: &wee, wei: &wei, wie: &wie, te: a.te(), ti: a.ti(), x: &x, x_prev: &xp, y: &y, y_prev: &yp };
    /// b.import_dense(&d)?;
    /// assert_eq!((b.ee_count(), b.ei_count()), (a.ee_count(), a.ei_count()));
    /// assert_eq!(b.x(), a.x());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn import_dense(&mut self, d: &DenseState<'_>) -> Result<(), ImportError> {
        let (ne, ni) = (self.cfg.ne as usize, self.cfg.ni as usize);
        let w_max = self.cfg.w_max;
        let weight = |w: f32| (0.0..=w_max).contains(&w);
        let spike = |v: f32| v == 0.0 || v == 1.0;
        import::check("Wee", d.wee, ne * ne, weight)?;
        import::check("Wei", d.wei, ni * ne, weight)?;
        import::check("Wie", d.wie, ne * ni, weight)?;
        import::check("Te", d.te, ne, |_| true)?;
        import::check("Ti", d.ti, ni, |_| true)?;
        for (what, v, n) in
            [("X", d.x, ne), ("X (previous)", d.x_prev, ne), ("Y", d.y, ni), ("Y (previous)", d.y_prev, ni)]
        {
            import::check(what, v, n, spike)?;
        }
        if let Some(unit) = (0..ne).find(|&i| d.wee[i * ne + i] != 0.0) {
            return Err(ImportError::SelfSynapse { unit });
        }
        let nnz = |w: &[f32]| w.iter().filter(|&&v| v > 0.0).count();
        let (n_ee, n_ei) = (nnz(d.wee), nnz(d.wei));
        let l = self.layout;
        // Dense E->I holds every pair; sparse E->I holds the nonzero ones.
        let n_ie = if l.ie_sparse { ie::nonzero(d.wie) } else { 0 };
        for (what, synapses, capacity) in
            [("Wee", n_ee, l.ee_capacity), ("Wei", n_ei, l.ei_capacity), ("Wie", n_ie, l.ie_capacity)]
        {
            if synapses > capacity {
                return Err(ImportError::Capacity { what, synapses, capacity });
            }
        }
        let cur = self.cur;
        let Sorn { bufs, layout, .. } = self;
        let p = layout
            .split(bufs.f32s.as_mut(), bufs.u16s.as_mut(), bufs.u32s.as_mut())
            .ok_or(ImportError::BufferChanged)?;
        for (m, dense, n_pre, n) in [(p.ee, d.wee, ne, n_ee), (p.ei, d.wei, ni, n_ei)] {
            let mut m = m;
            m.w.fill(0.0);
            m.post.fill(0);
            m.in_pos.fill(0);
            // The edge list in [pre][post] order, as build_from_edges takes it.
            for (k, (i, _)) in dense.iter().enumerate().filter(|(_, w)| **w > 0.0).enumerate() {
                m.in_pos[k] = ((i / ne) as u32) << 16 | (i % ne) as u32;
            }
            m.build_from_edges(n);
            for pre in 0..n_pre {
                for slot in m.out_range(pre) {
                    m.w[slot] = dense[pre * ne + m.post[slot] as usize];
                }
            }
        }
        let mut ie = p.ie;
        ie.fill_from_dense(d.wie);
        p.te.copy_from_slice(d.te);
        p.ti.copy_from_slice(d.ti);
        let pack = |words: &mut [u32], v: &[f32]| {
            words.fill(0);
            for (i, _) in v.iter().enumerate().filter(|(_, s)| **s != 0.0) {
                words[i / 32] |= 1 << (i % 32);
            }
        };
        let (we, wi) = (words_for(ne), words_for(ni));
        let (x0, x1) = p.x.split_at_mut(we);
        let (y0, y1) = p.y.split_at_mut(wi);
        let (x_now, x_then) = if cur == 0 { (x0, x1) } else { (x1, x0) };
        let (y_now, y_then) = if cur == 0 { (y0, y1) } else { (y1, y0) };
        pack(x_now, d.x);
        pack(x_then, d.x_prev);
        pack(y_now, d.y);
        pack(y_then, d.y_prev);
        p.r.fill(0);
        for dirty in [p.dirty_ee, p.dirty_ei] {
            (0..ne).for_each(|i| crate::bits::set(dirty, i));
        }
        Ok(())
    }

    /// One time step t -> t+1 with input `u(t)` (`nu` values, added to excitatory units
    /// `0..nu`), followed, in the plasticity phase, by the rules that are not frozen.
    pub fn step(&mut self, input: &[f32]) -> Result<StepReport, StepError> {
        let cfg = &self.cfg;
        if input.len() != cfg.nu as usize {
            return Err(StepError::InputWidth { expected: cfg.nu, got: input.len() as u32 });
        }
        if let Some(channel) = input.iter().position(|u| !u.is_finite()) {
            return Err(StepError::InputNotFinite { channel: channel as u32 });
        }
        let (ne, ni) = (cfg.ne as usize, cfg.ni as usize);
        let (we, wi) = (words_for(ne), words_for(ni));
        let cur = self.cur;
        let Some(p) = self.layout.split(self.bufs.f32s.as_mut(), self.bufs.u16s.as_mut(), self.bufs.u32s.as_mut())
        else {
            return Err(StepError::BufferChanged);
        };
        let Parts {
            mut ee,
            mut ei,
            ie,
            te,
            ti,
            h_ip,
            acc_ee,
            acc_ei,
            acc_i,
            noise,
            codes,
            x,
            y,
            r,
            dirty_ee,
            dirty_ei,
            marks,
        } = p;
        let (x_lo, x_hi) = x.split_at_mut(we);
        let (x_t, x_t1) = if cur == 0 { (&*x_lo, x_hi) } else { (&*x_hi, x_lo) };
        let (y_lo, y_hi) = y.split_at_mut(wi);
        let (y_t, y_t1) = if cur == 0 { (&*y_lo, y_hi) } else { (&*y_hi, y_lo) };

        // Drive from the state at t: E->E from active excitatory units, I->E from active
        // inhibitory units (event-driven: only the ~10-20 % of units that spiked). E->I follows
        // once x(t+1) is known.
        acc_ee.fill(0.0);
        acc_ei.fill(0.0);
        acc_i.fill(0.0);
        let ee_syn = ee.reborrow();
        for pre in Ones::new(x_t) {
            ee_syn.accumulate(pre, acc_ee);
        }
        let ei_syn = ei.reborrow();
        for pre in Ones::new(y_t) {
            ei_syn.accumulate(pre, acc_ei);
        }

        // Noise: one normal sample per excitatory unit, then per inhibitory unit (zeros, and no
        // draws, when noise is off).
        let noise_sd = if self.mode.noise { cfg.noise_sd } else { 0.0 };
        let rng = &mut self.rng;
        if noise_sd > 0.0 {
            rng.fill_normal(noise, noise_sd);
        } else {
            noise.fill(0.0);
        }
        let (xi_e, xi_i) = noise.split_at(ne);

        // Threshold units: x(t+1) = H(ee - ei + u + xi - T_E), y(t+1) = H(ie + xi - T_I), and
        // r(t+1), the excitatory drive without input (same noise sample), recorded only. The
        // drive is computed in place in acc_ee, then packed into bits. Units past the input
        // channels have u = 0, so their r equals their x.
        let nu = input.len();
        // r of the input units is kept in `codes` (scratch until the spike codes are built).
        for i in 0..nu {
            let recurrent = acc_ee[i] - acc_ei[i];
            codes[i] = u16::from(recurrent + xi_e[i] - te[i] > 0.0);
            acc_ee[i] = recurrent + input[i] + xi_e[i] - te[i];
        }
        let rest = acc_ee[nu..].iter_mut().zip(&acc_ei[nu..]).zip(&xi_e[nu..]).zip(&te[nu..]);
        for (((a, &ei), &xi), &t) in rest {
            *a = *a - ei + xi - t;
        }
        pack_positive(acc_ee, x_t1);
        // E->I from x(t), or from the state just computed with fast inhibition.
        let x_ie: &[u32] = if cfg.fast_inhibition { x_t1 } else { x_t };
        ie.accumulate(x_ie, acc_i);
        for (a, (&x, &t)) in acc_i.iter_mut().zip(xi_i.iter().zip(ti.iter())) {
            *a = *a + x - t;
        }
        pack_positive(acc_i, y_t1);
        r.copy_from_slice(x_t1);
        for (i, &bit) in codes[..nu].iter().enumerate() {
            let mask = 1u32 << (i % 32);
            r[i / 32] = if bit == 1 { r[i / 32] | mask } else { r[i / 32] & !mask };
        }
        plasticity::spike_codes(x_t, x_t1, codes);

        // Plasticity, in the package's order; each rule sees the previous ones' results.
        let mut rules = RuleCounts::default();
        let plastic = self.mode.phase == Phase::Plasticity || cfg.compat.simulator_ignores_phase;
        let runs = |rule: Rule| plastic && !self.mode.freeze.contains(rule);
        let mut ee_syn = ee.reborrow();
        let mut ei_syn = ei.reborrow();
        let mut marks = Marks(marks);
        if runs(Rule::Stdp) {
            let spikes = plasticity::Spikes { x_t, x_t1, codes };
            plasticity::stdp(&mut ee_syn, &spikes, cfg.eta_stdp, cfg.w_max, dirty_ee, &mut rules);
        }
        if runs(Rule::Ip) {
            let clip = cfg.ip_clip.then_some((cfg.te_min, cfg.te_max));
            plasticity::ip(te, h_ip, codes, cfg.eta_ip, clip);
        }
        if runs(Rule::Sp) {
            plasticity::sp(&mut ee_syn, rng, cfg.p_sp, cfg.w_sp, &mut marks, dirty_ee, &mut rules);
        }
        if runs(Rule::Istdp) {
            let deltas = plasticity::istdp_deltas(cfg.eta_inhib, cfg.mu_ip);
            plasticity::istdp(&mut ei_syn, y_t, codes, deltas, cfg.w_max, dirty_ei, &mut rules);
        }
        if runs(Rule::Ss) {
            plasticity::normalize(&mut ee_syn, dirty_ee, &mut rules);
            plasticity::normalize(&mut ei_syn, dirty_ei, &mut rules);
        }

        // x(t+1), y(t+1) become the current state.
        let active_e = x_t1.iter().map(|w| w.count_ones()).sum();
        let active_i = y_t1.iter().map(|w| w.count_ones()).sum();
        self.cur ^= 1;
        // Saturating: a snapshot may carry counts near u64::MAX.
        let c = &mut self.counters;
        c.steps = c.steps.saturating_add(1);
        c.ee_pruned = c.ee_pruned.saturating_add(u64::from(rules.ee_pruned));
        c.ei_pruned = c.ei_pruned.saturating_add(u64::from(rules.ei_pruned));
        c.sp_created = c.sp_created.saturating_add(u64::from(rules.sp_created));
        c.sp_capacity_refusals = c.sp_capacity_refusals.saturating_add(u64::from(rules.sp_refused));
        c.empty_rows = c.empty_rows.saturating_add(u64::from(rules.empty_rows));
        Ok(StepReport { active_e, active_i, rules })
    }
}

/// Read access. These never fail: the buffers were checked when the network was built.
impl<F, H, W> Sorn<F, H, W>
where
    F: AsRef<[f32]>,
    H: AsRef<[u16]>,
    W: AsRef<[u32]>,
{
    /// The configuration the network was built with.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The buffer layout.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// How runs proceed (phase, freeze list, noise).
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Running totals.
    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// What initialisation had to give up or repair.
    pub fn init_report(&self) -> InitReport {
        self.init
    }

    /// The random generator's state (for snapshots).
    pub fn rng(&self) -> &NetRng {
        &self.rng
    }

    /// Everything that is not in the buffers, for a snapshot (see [`Sorn::restore`]).
    pub fn scalars(&self) -> Scalars {
        Scalars {
            rng: self.rng.state(),
            cur: self.cur as u8,
            counters: self.counters,
            init: self.init,
            mode: self.mode,
        }
    }

    /// The used part of the three buffers (`Layout` lengths), for a snapshot.
    pub fn buffers(&self) -> Buffers<&[f32], &[u16], &[u32]> {
        let l = &self.layout;
        let f = self.bufs.f32s.as_ref();
        let h = self.bufs.u16s.as_ref();
        let w = self.bufs.u32s.as_ref();
        Buffers {
            f32s: f.get(..l.f32_len).unwrap_or(f),
            u16s: h.get(..l.u16_len).unwrap_or(h),
            u32s: w.get(..l.u32_len).unwrap_or(w),
        }
    }

    /// Number of E->E synapses (counted from the lists).
    pub fn ee_count(&self) -> u32 {
        self.wee().len() as u32
    }

    /// Number of I->E synapses.
    pub fn ei_count(&self) -> u32 {
        self.wei().len() as u32
    }

    fn f32s(&self) -> &[f32] {
        self.bufs.f32s.as_ref()
    }

    fn u16s(&self) -> &[u16] {
        self.bufs.u16s.as_ref()
    }

    fn u32s(&self) -> &[u32] {
        self.bufs.u32s.as_ref()
    }

    /// One sparse matrix, read from the buffers by its spans.
    fn synapses(&self, m: Matrix) -> Synapses<'_> {
        let [w, post, out_len, in_len, out_off, in_off, in_pos] = self.layout.matrix(m);
        let (fs, hs, ws) = (self.f32s(), self.u16s(), self.u32s());
        Synapses {
            w: w.of(fs),
            post: post.of(hs),
            out_len: out_len.of(hs),
            in_len: in_len.of(hs),
            out_off: out_off.of(ws),
            in_off: in_off.of(ws),
            in_pos: in_pos.of(ws),
        }
    }

    /// E->E synapses (`[pre][post]` = the package's `Wee`).
    pub fn wee(&self) -> Synapses<'_> {
        self.synapses(Matrix::Ee)
    }

    /// I->E synapses (`[pre inhibitory][post excitatory]` = the package's `Wei`).
    pub fn wei(&self) -> Synapses<'_> {
        self.synapses(Matrix::Ei)
    }

    /// E->I weights, `[pre excitatory][post inhibitory]` (the package's `Wie`), fixed after
    /// initialisation: dense, or sparse lists when `lambda_ie` is set ([`Wie::write_dense`]
    /// gives the package's dense matrix either way).
    pub fn wie(&self) -> Wie<'_> {
        let l = &self.layout;
        let (w, post, off) =
            (l.f32s.ie_w.of(self.f32s()), l.u16s.ie_post.of(self.u16s()), l.u32s.ie_off.of(self.u32s()));
        Wie::new(l.ne, l.ni, l.ie_sparse, w, post, off)
    }

    /// Excitatory thresholds T_E.
    pub fn te(&self) -> &[f32] {
        self.layout.f32s.te.of(self.f32s())
    }

    /// Inhibitory thresholds T_I (never change).
    pub fn ti(&self) -> &[f32] {
        self.layout.f32s.ti.of(self.f32s())
    }

    /// Per-unit IP target rates (all `h_ip` unless `sigma_ip > 0`).
    pub fn ip_targets(&self) -> &[f32] {
        self.layout.f32s.h_ip.of(self.f32s())
    }

    /// Half `which` of a double-buffered spike array of `n` units.
    fn half(&self, span: Span, n: usize, which: usize) -> Bits<'_> {
        let w = words_for(n);
        let words = span.of(self.u32s());
        Bits::new(words.get(which * w..(which + 1) * w).unwrap_or(&[]), n)
    }

    /// Excitatory state x(t) (after the last step).
    pub fn x(&self) -> Bits<'_> {
        self.half(self.layout.u32s.x, self.layout.ne, self.cur)
    }

    /// Excitatory state one step earlier, x(t-1).
    pub fn x_prev(&self) -> Bits<'_> {
        self.half(self.layout.u32s.x, self.layout.ne, self.cur ^ 1)
    }

    /// Inhibitory state y(t).
    pub fn y(&self) -> Bits<'_> {
        self.half(self.layout.u32s.y, self.layout.ni, self.cur)
    }

    /// Inhibitory state y(t-1).
    pub fn y_prev(&self) -> Bits<'_> {
        self.half(self.layout.u32s.y, self.layout.ni, self.cur ^ 1)
    }

    /// Recurrent activation r(t) of the last step: the excitatory drive without the input,
    /// thresholded (recorded only; it never feeds back).
    pub fn r(&self) -> Bits<'_> {
        self.half(self.layout.u32s.r, self.layout.ne, 0)
    }

    /// Number of excitatory units with no incoming E->E synapse.
    pub fn ee_empty_units(&self) -> usize {
        let w = self.wee();
        (0..w.n_post()).filter(|&i| w.in_degree(i) == 0).count()
    }
}

/// Packs `v[i] > 0` into bits (bit `i % 32` of word `i / 32`).
///
/// Eight values per round with constant shifts (the compiler turns a round into one vector
/// compare and a mask move where it can), then the rest one by one.
fn pack_positive(v: &[f32], words: &mut [u32]) {
    for (word, chunk) in words.iter_mut().zip(v.chunks(32)) {
        let mut bits = 0u32;
        let mut octets = chunk.chunks_exact(8);
        for (j, o) in (&mut octets).enumerate() {
            let mut byte = 0u32;
            for (k, &d) in o.iter().enumerate() {
                byte |= u32::from(d > 0.0) << k;
            }
            bits |= byte << (8 * j);
        }
        let done = chunk.len() - octets.remainder().len();
        for (k, &d) in octets.remainder().iter().enumerate() {
            bits |= u32::from(d > 0.0) << (done + k);
        }
        *word = bits;
    }
}

impl<F, H, W> Sorn<F, H, W>
where
    F: Storage<f32>,
    H: Storage<u16>,
    W: Storage<u32>,
{
    /// Flips excitatory unit `i`'s current state x_i(t) (a perturbation, as in SORN's
    /// perturbation analyses). Returns false, changing nothing, if `i` is not a unit.
    ///
    /// ```
    /// # use neuroloop_core::sorn::*;
    /// # let l = Layout::new(&Config::DEFAULT);
    /// # let mut net = Sorn::new(&Config::DEFAULT, 1, Buffers::new(vec![0.0f32; l.f32_len], vec![0u16; l.u16_len], vec![0u32; l.u32_len])).unwrap();
    /// assert!(net.flip_excitatory(5) && net.x().get(5));
    /// assert!(!net.flip_excitatory(200));
    /// ```
    pub fn flip_excitatory(&mut self, i: usize) -> bool {
        if i >= self.layout.ne {
            return false;
        }
        let w = self.layout.u32s.x.start + self.cur * words_for(self.layout.ne) + i / 32;
        match self.bufs.u32s.as_mut().get_mut(w) {
            Some(word) => {
                *word ^= 1 << (i % 32);
                true
            }
            None => false,
        }
    }
}

impl<F, H, W> Sorn<F, H, W> {
    /// Sets how the next steps run.
    ///
    /// ```
    /// # use neuroloop_core::sorn::*;
    /// # let l = Layout::new(&Config::DEFAULT);
    /// # let mut net = Sorn::new(&Config::DEFAULT, 1, Buffers::new(vec![0.0f32; l.f32_len], vec![0u16; l.u16_len], vec![0u32; l.u32_len])).unwrap();
    /// net.set_mode(Mode { freeze: Freeze::NONE.with(Rule::Sp), ..Mode::default() });
    /// net.set_mode(Mode::training(false));
    /// ```
    pub fn set_mode(&mut self, mode: Mode) {
        self.mode = mode;
    }

    /// Gives the buffers back.
    pub fn into_buffers(self) -> Buffers<F, H, W> {
        self.bufs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::Fnv1a;
    use crate::layout::BufferError;
    use crate::sorn::Freeze;
    use std::vec;
    use std::vec::Vec;

    use crate::sorn::testing::{VecSorn, build};

    /// The README input: uniform [0, 1) from the seed's stream jumped 2^64 draws.
    fn readme_input(seed: u64) -> NetRng {
        let mut r = NetRng::seed_from_u64(seed);
        r.jump();
        r
    }

    #[test]
    fn one_step_follows_the_equations() {
        // x(t+1) = H(W_EE x - W_EI y + u - T_E), y(t+1) = H(W_IE x - T_I), noise off, frozen:
        // recomputed from the accessors, unit by unit, in f64; dense and sparse E->I.
        for lambda_ie in [None, Some(3.0)] {
            one_step_follows_the_equations_with(lambda_ie);
        }
    }

    fn one_step_follows_the_equations_with(lambda_ie: Option<f32>) {
        let cfg = Config { ne: 40, ni: 8, nu: 4, lambda_ee: 8.0, lambda_ei: 10.0, lambda_ie, ..Config::DEFAULT };
        let mut net = build(&cfg, 3);
        assert_eq!(net.wie().is_sparse(), lambda_ie.is_some());
        net.set_mode(Mode::training(false));
        let mut rng = readme_input(3);
        let u: Vec<f32> = (0..4).map(|_| 3.0 * rng.uniform_f32()).collect();
        for t in 0..30 {
            let (x, y) = (net.x(), net.y());
            let mut ee = vec![0.0f64; 40];
            let mut ei = vec![0.0f64; 40];
            let mut ie = [0.0f64; 8];
            for s in net.wee().iter().filter(|s| x.get(s.pre as usize)) {
                ee[s.post as usize] += f64::from(s.w);
            }
            for s in net.wei().iter().filter(|s| y.get(s.pre as usize)) {
                ei[s.post as usize] += f64::from(s.w);
            }
            for pre in (0..40).filter(|&j| x.get(j)) {
                for (k, w) in ie.iter_mut().enumerate() {
                    *w += f64::from(net.wie().weight(pre, k));
                }
            }
            let (te, ti) = (net.te().to_vec(), net.ti().to_vec());
            let input: &[f32] = if t % 3 == 0 { &u } else { &[0.0; 4] };
            let drive = |i: usize| ee[i] - ei[i] + input.get(i).map_or(0.0, |&v| f64::from(v)) - f64::from(te[i]);
            let x_before = x.words().to_vec();
            net.step(input).unwrap();
            for i in 0..40 {
                let d = drive(i);
                if d.abs() > 1e-5 {
                    assert_eq!(net.x().get(i), d > 0.0, "step {t}, excitatory unit {i}: drive {d}");
                }
            }
            for k in 0..8 {
                let d = ie[k] - f64::from(ti[k]);
                if d.abs() > 1e-5 {
                    assert_eq!(net.y().get(k), d > 0.0, "step {t}, inhibitory unit {k}: drive {d}");
                }
            }
            assert_eq!(net.x_prev().words(), &x_before[..], "x(t) becomes the previous state");
        }
    }

    #[test]
    fn fast_inhibition_reads_the_new_excitatory_state() {
        // y(t+1) = H(W_IE x(t+1) - T_I) with fast inhibition, recomputed in f64; noise off.
        let cfg = Config {
            ne: 40,
            ni: 8,
            nu: 40,
            h_ip: Some(0.1),
            lambda_ee: 8.0,
            lambda_ei: 10.0,
            fast_inhibition: true,
            ..Config::DEFAULT
        };
        let mut net = build(&cfg, 5);
        net.set_mode(Mode { noise: false, ..Mode::default() });
        let mut rng = readme_input(5);
        let (mut checked, mut differs) = (0, 0);
        for _ in 0..200 {
            let u: Vec<f32> = (0..40).map(|_| if rng.uniform_f32() < 0.1 { 1.0 } else { 0.0 }).collect();
            let x_t = net.x().words().to_vec();
            net.step(&u).unwrap();
            let drive = |x: &[u32], k: usize| {
                (0..40).filter(|&j| crate::bits::get(x, j)).map(|j| f64::from(net.wie().weight(j, k))).sum::<f64>()
                    - f64::from(net.ti()[k])
            };
            for k in 0..8 {
                let d = drive(net.x().words(), k);
                if d.abs() > 1e-5 {
                    assert_eq!(net.y().get(k), d > 0.0, "inhibitory unit {k}: drive {d}");
                    checked += 1;
                }
                differs += usize::from((drive(&x_t, k) > 0.0) != (d > 0.0));
            }
        }
        assert!(checked > 1000, "{checked}");
        assert!(differs > 50, "x(t) and x(t+1) give different inhibition often: {differs}");
    }

    #[test]
    fn the_default_network_200_plastic_steps_reference() {
        // Pinned (the firmware's `sorn` scenario prints the same line on every board): a change
        // here changes every SORN run and is named in CHANGELOG.md.
        let mut net = build(&Config::DEFAULT, 1);
        let mut inputs = readme_input(1);
        let mut u = [0.0f32; 10];
        let mut d = Fnv1a::new();
        for _ in 0..200 {
            u.iter_mut().for_each(|v| *v = inputs.uniform_f32());
            net.step(&u).unwrap();
            d.write_words(net.x().words().iter().chain(net.y().words()).copied());
        }
        assert_eq!((net.ee_count(), net.ei_count(), d.finish()), (3907, 1545, 0xd6ac_111e));
        assert_eq!(net.counters().steps, 200);
    }

    /// x and y of `steps` plastic steps of the README input, seed 1, as one digest.
    fn spike_digest(net: &mut VecSorn, steps: usize) -> u32 {
        let mut inputs = readme_input(1);
        let mut u = vec![0.0f32; net.config().nu as usize];
        let mut d = Fnv1a::new();
        for _ in 0..steps {
            u.iter_mut().for_each(|v| *v = inputs.uniform_f32());
            net.step(&u).unwrap();
            d.write_words(net.x().words().iter().chain(net.y().words()).copied());
        }
        d.finish()
    }

    #[test]
    fn sparse_e_to_i_gives_the_spikes_of_the_dense_layout() {
        // Digests taken with neuroloop before E->I lists (commit 286ea45, which stored a sparse
        // lambda_ie in the dense matrix; `host/examples/sparse_ie.rs NE LAMBDA_IE STEPS 0`):
        // the lists draw the same network and sum it in the same order. lambda_ie 0.5 repairs
        // most inhibitory units.
        for (ne, lambda_ie, steps, digest) in [
            (200, 10.0, 200, 0xabc3_4775),
            (200, 0.5, 200, 0x4c9e_a2c9),
            (200, 3.0, 200, 0xd061_c950),
            (60, 2.0, 100, 0x8872_c82d),
        ] {
            let cfg = Config { lambda_ie: Some(lambda_ie), ..Config::with_size(ne, 10) };
            let mut net = build(&cfg, 1);
            assert!(net.wie().is_sparse());
            let ni = cfg.ni as usize;
            assert!((0..ni).all(|k| (net.wie().incoming_sum(k) - 1.0).abs() < 1e-5), "normalised");
            // Past the end is 0, also where the index would wrap a u16 onto a real target.
            let wie = net.wie();
            let (pre, post) = (0..ne as usize)
                .flat_map(|p| (0..ni).map(move |q| (p, q)))
                .find(|&(p, q)| wie.weight(p, q) > 0.0)
                .unwrap();
            assert_eq!(
                (wie.weight(pre, ni), wie.weight(pre, post + 65_536), wie.incoming_sum(post + 65_536)),
                (0.0, 0.0, 0.0)
            );
            assert_eq!(spike_digest(&mut net, steps), digest, "ne {ne}, lambda_ie {lambda_ie}");
        }
    }

    /// The network's state in the dense E->I layout (the config without `lambda_ie`), as
    /// neuroloop stored it before E->I lists.
    fn in_dense_layout(a: &VecSorn) -> (Config, VecSorn) {
        let cfg = Config { lambda_ie: None, ..*a.config() };
        let (old, new) = (Layout::new(&cfg), *a.layout());
        let b = a.buffers();
        let mut f = b.f32s[..new.f32s.ie_w.start].to_vec();
        let mut wie = vec![0.0; new.ne * new.ni];
        assert!(a.wie().write_dense(&mut wie));
        f.extend_from_slice(&wie);
        f.extend_from_slice(&b.f32s[new.f32s.ie_w.end()..]);
        let cut = |v: &[u16], s: Span| [&v[..s.start], &v[s.end()..]].concat();
        let h = cut(b.u16s, new.u16s.ie_post);
        let w = [&b.u32s[..new.u32s.ie_off.start], &b.u32s[new.u32s.ie_off.end()..]].concat();
        assert_eq!((f.len(), h.len(), w.len()), (old.f32_len, old.u16_len, old.u32_len));
        (cfg, Sorn::restore(&cfg, &a.scalars(), Buffers::new(f, h, w)).unwrap())
    }

    #[test]
    fn sparse_and_dense_e_to_i_step_the_same_bits_and_convert_both_ways() {
        for fast_inhibition in [false, true] {
            let cfg = Config { lambda_ie: Some(6.0), fast_inhibition, ..Config::with_size(120, 10) };
            let mut a = build(&cfg, 7);
            let (dense_cfg, mut b) = in_dense_layout(&a);
            assert!(!b.wie().is_sparse() && b.layout().bytes() > a.layout().bytes());
            let mut inputs = readme_input(7);
            let mut u = [0.0f32; 10];
            for t in 0..300 {
                u.iter_mut().for_each(|v| *v = inputs.uniform_f32());
                assert_eq!(a.step(&u).unwrap(), b.step(&u).unwrap(), "step {t}");
                assert!(a.x() == b.x() && a.y() == b.y() && a.te() == b.te(), "step {t}");
            }
            // Back from the dense layout: the same buffers as the network that never left.
            let d = b.buffers();
            let l = a.layout();
            let bufs = Buffers::new(vec![0.0; l.f32_len], vec![0; l.u16_len], vec![0; l.u32_len]);
            let c = Sorn::restore_dense_ie(&cfg, &b.scalars(), d, bufs).unwrap();
            assert!(c.buffers() == a.buffers() && c.scalars() == a.scalars());
            // A dense config is a plain copy.
            let l = b.layout();
            let bufs = Buffers::new(vec![0.0; l.f32_len], vec![0; l.u16_len], vec![0; l.u32_len]);
            let e = Sorn::restore_dense_ie(&dense_cfg, &b.scalars(), b.buffers(), bufs).unwrap();
            assert!(e.buffers() == b.buffers());
        }
    }

    #[test]
    fn sparse_e_to_i_lists_are_checked_on_restore() {
        let cfg = Config { lambda_ie: Some(5.0), ..Config::with_size(60, 10) };
        let a = build(&cfg, 2);
        let l = *a.layout();
        let n = a.wie().len();
        assert!(n > 0 && n <= l.ie_capacity);
        let damage = |f: &dyn Fn(&mut Vec<u16>, &mut Vec<u32>)| {
            let b = a.buffers();
            let (mut h, mut w) = (b.u16s.to_vec(), b.u32s.to_vec());
            f(&mut h, &mut w);
            Sorn::restore(&cfg, &a.scalars(), Buffers::new(b.f32s.to_vec(), h, w)).err()
        };
        let e2i = Some(RestoreError::Corrupt { what: "E->I" });
        let (post, off) = (l.u16s.ie_post.start, l.u32s.ie_off.start);
        assert_eq!(damage(&|_, _| {}), None);
        assert_eq!(damage(&|h, _| h[post] = 12), e2i, "target past ni");
        assert_eq!(damage(&|_, w| w[off + 60] = l.ie_capacity as u32 + 1), e2i, "past the capacity");
        assert_eq!(damage(&|_, w| w[off] = 1), e2i, "first offset");
        assert_eq!(damage(&|_, w| w[off + 3] = w[off + 4] + 1), e2i, "offsets decrease");
        let offs = &a.buffers().u32s[off..off + 61];
        let j = (0..60).find(|&j| offs[j + 1] - offs[j] >= 2).unwrap();
        let s = post + offs[j] as usize;
        assert_eq!(damage(&|h, _| h.swap(s, s + 1)), e2i, "targets out of order");
        // The dense matrix of an imported sparse network must fit its capacity.
        let mut b = build(&cfg, 3);
        let wie = vec![0.5f32; 60 * 12];
        let wee = vec![0.0f32; 60 * 60];
        let wei = vec![0.0f32; 12 * 60];
        let (te, ti, x, y) = (vec![0.5f32; 60], vec![0.5f32; 12], vec![0.0f32; 60], vec![0.0f32; 12]);
        let d = DenseState { wee: &wee, wei: &wei, wie: &wie, te: &te, ti: &ti, x: &x, x_prev: &x, y: &y, y_prev: &y };
        let e = b.import_dense(&d);
        assert_eq!(e, Err(ImportError::Capacity { what: "Wie", synapses: 720, capacity: l.ie_capacity }));
    }

    #[test]
    fn the_training_phase_and_a_full_freeze_list_change_no_weight() {
        for mode in [Mode::training(true), Mode { freeze: Freeze::ALL, ..Mode::default() }] {
            let mut net = build(&Config::DEFAULT, 2);
            net.step(&[0.5; 10]).unwrap();
            net.set_mode(mode);
            let (w, te) = (net.buffers().f32s[..net.layout().ee_capacity].to_vec(), net.te().to_vec());
            for _ in 0..50 {
                net.step(&[0.7; 10]).unwrap();
            }
            assert_eq!(&net.buffers().f32s[..net.layout().ee_capacity], &w[..], "{mode:?}");
            assert_eq!(net.te(), &te[..]);
        }
    }

    #[test]
    fn refused_steps_change_nothing() {
        let mut net = build(&Config::DEFAULT, 4);
        net.step(&[0.5; 10]).unwrap();
        let before = net.clone();
        assert_eq!(net.step(&[0.5; 9]), Err(StepError::InputWidth { expected: 10, got: 9 }));
        let mut u = [0.5f32; 10];
        u[7] = f32::INFINITY;
        assert_eq!(net.step(&u), Err(StepError::InputNotFinite { channel: 7 }));
        assert!(net.buffers() == before.buffers() && net.scalars() == before.scalars());
    }

    #[test]
    fn counts_are_the_lists_lengths_and_counters_saturate() {
        let mut net = build(&Config::DEFAULT, 5);
        let ee: usize = (0..200).map(|j| net.wee().out_degree(j)).sum();
        assert_eq!(net.ee_count() as usize, ee);
        let mut s = net.scalars();
        s.counters.steps = u64::MAX;
        let b = net.buffers();
        let saved = Buffers::new(b.f32s.to_vec(), b.u16s.to_vec(), b.u32s.to_vec());
        let mut restored = Sorn::restore(&Config::DEFAULT, &s, saved).unwrap();
        restored.step(&[0.5; 10]).unwrap();
        assert_eq!(restored.counters().steps, u64::MAX, "saturates instead of wrapping");
        net.step(&[0.5; 10]).unwrap();
    }

    #[test]
    fn construction_refuses_bad_configs_and_short_buffers() {
        let l = Layout::new(&Config::DEFAULT);
        let short = Buffers::new(vec![0.0; l.f32_len], vec![0; l.u16_len - 1], vec![0; l.u32_len]);
        let e = Sorn::new(&Config::DEFAULT, 1, short).err();
        assert_eq!(e, Some(Error::Buffer(BufferError { buffer: "u16", needed: l.u16_len, got: l.u16_len - 1 })));
        let bad = Config { ne: 0, ..Config::DEFAULT };
        let bufs = Buffers::new(vec![0.0; 1], vec![0; 1], vec![0; 1]);
        assert!(matches!(Sorn::new(&bad, 1, bufs), Err(Error::Config(_))));
    }
}
