//! The network: construction, and one step from top to bottom.

use super::config::Config;
use super::init::{self, InitReport};
use super::layout::{Buffers, Layout, Parts};
use super::mode::{Mode, Phase, Rule};
use super::plasticity::{self, RuleCounts};
use super::snapshot::{self, RestoreError, Scalars};
use super::synapses::{Marks, Synapses};
use super::{Error, StepError};
use crate::bits::{Bits, Ones, words_for};
use crate::rng::NetRng;

/// Running totals since the network was built.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
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
    /// E->E synapses before this step's plasticity (the package's `EEConnectionCounts`).
    pub ee_before: u32,
    /// I->E synapses before this step's plasticity (the package's `EIConnectionCounts`).
    pub ei_before: u32,
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
    ee_count: u32,
    ei_count: u32,
    counters: Counters,
    init: InitReport,
    istdp_deltas: (f32, f32),
}

impl<F, H, W> Sorn<F, H, W>
where
    F: AsRef<[f32]> + AsMut<[f32]>,
    H: AsRef<[u16]> + AsMut<[u16]>,
    W: AsRef<[u32]> + AsMut<[u32]>,
{
    /// Validates `cfg`, checks the buffers against [`Layout::new`], and builds a fresh network
    /// from `seed` (spec section 2). All units start silent. Initialisation writes every array
    /// of the layout, so the buffers' previous contents (another network's, say) never change
    /// the result.
    pub fn new(cfg: &Config, seed: u64, bufs: Buffers<F, H, W>) -> Result<Self, Error> {
        cfg.validate().map_err(Error::Config)?;
        let layout = Layout::new(cfg);
        bufs.check(&layout).map_err(Error::Buffer)?;
        let mut net = Sorn {
            cfg: *cfg,
            layout,
            bufs,
            rng: NetRng::seed_from_u64(seed),
            mode: Mode::default(),
            cur: 0,
            ee_count: 0,
            ei_count: 0,
            counters: Counters::default(),
            init: InitReport::default(),
            istdp_deltas: plasticity::istdp_deltas(cfg.eta_inhib, cfg.mu_ip),
        };
        let Sorn { bufs, layout, rng, .. } = &mut net;
        let Some(mut p) = layout.split(bufs.f32s.as_mut(), bufs.u16s.as_mut(), bufs.u32s.as_mut()) else {
            return Err(Error::Buffer(super::BufferError { buffer: "f32", needed: layout.f32_len, got: 0 }));
        };
        let report = init::initialise(cfg, &mut p, rng);
        let (ee, ei) = (p.ee.as_ref().len() as u32, p.ei.as_ref().len() as u32);
        net.init = report;
        net.ee_count = ee;
        net.ei_count = ei;
        Ok(net)
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
    /// let (f, h, w) = a.buffers();
    /// let saved = Buffers::new(f.to_vec(), h.to_vec(), w.to_vec());
    /// let mut b = Sorn::restore(&cfg, &a.scalars(), saved)?;
    /// a.step(&[0.5; 10])?;
    /// b.step(&[0.5; 10])?;
    /// assert_eq!(a.x(), b.x());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn restore(cfg: &Config, scalars: &Scalars, bufs: Buffers<F, H, W>) -> Result<Self, RestoreError> {
        cfg.validate().map_err(RestoreError::Config)?;
        let layout = Layout::new(cfg);
        bufs.check(&layout).map_err(RestoreError::Buffer)?;
        let mut net = Sorn {
            cfg: *cfg,
            layout,
            bufs,
            rng: NetRng::from_state(scalars.rng),
            mode: scalars.mode,
            cur: usize::from(scalars.cur),
            ee_count: scalars.ee_count,
            ei_count: scalars.ei_count,
            counters: scalars.counters,
            init: scalars.init,
            istdp_deltas: plasticity::istdp_deltas(cfg.eta_inhib, cfg.mu_ip),
        };
        let Sorn { bufs, layout, .. } = &mut net;
        let p = layout
            .split(bufs.f32s.as_mut(), bufs.u16s.as_mut(), bufs.u32s.as_mut())
            .ok_or(RestoreError::Corrupt { what: "buffer lengths" })?;
        snapshot::validate(cfg, scalars, &p)?;
        Ok(net)
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
            ie_w,
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
        let report_counts = (self.ee_count, self.ei_count);

        // Drive from the state at t: E->E and E->I from active excitatory units, I->E from
        // active inhibitory units (event-driven: only the ~10-20 % of units that spiked).
        acc_ee.fill(0.0);
        acc_ei.fill(0.0);
        acc_i.fill(0.0);
        let ee_syn = ee.as_mut();
        for pre in Ones::new(x_t) {
            ee_syn.accumulate(pre, acc_ee);
            for (a, &w) in acc_i.iter_mut().zip(&ie_w[pre * ni..(pre + 1) * ni]) {
                *a += w;
            }
        }
        let ei_syn = ei.as_mut();
        for pre in Ones::new(y_t) {
            ei_syn.accumulate(pre, acc_ei);
        }

        // Noise: one normal sample per excitatory unit, then per inhibitory unit (zeros, and no
        // draws, when noise is off).
        let noise_sd = if self.mode.noise { cfg.noise_sd } else { 0.0 };
        let rng = &mut self.rng;
        if noise_sd > 0.0 {
            noise.iter_mut().for_each(|xi| *xi = noise_sd * rng.normal());
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
        for i in nu..ne {
            acc_ee[i] = acc_ee[i] - acc_ei[i] + xi_e[i] - te[i];
        }
        pack_positive(acc_ee, x_t1);
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
        let mut ee_syn = ee.as_mut();
        let mut ei_syn = ei.as_mut();
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
            plasticity::istdp(&mut ei_syn, y_t, codes, self.istdp_deltas, cfg.w_max, dirty_ei, &mut rules);
        }
        if runs(Rule::Ss) {
            plasticity::normalize(&mut ee_syn, dirty_ee, &mut rules);
            plasticity::normalize(&mut ei_syn, dirty_ei, &mut rules);
        }

        // x(t+1), y(t+1) become the current state.
        let active_e = x_t1.iter().map(|w| w.count_ones()).sum();
        let active_i = y_t1.iter().map(|w| w.count_ones()).sum();
        self.cur ^= 1;
        self.ee_count = self.ee_count + rules.sp_created - rules.ee_pruned;
        self.ei_count -= rules.ei_pruned;
        let c = &mut self.counters;
        c.steps += 1;
        c.ee_pruned += u64::from(rules.ee_pruned);
        c.ei_pruned += u64::from(rules.ei_pruned);
        c.sp_created += u64::from(rules.sp_created);
        c.sp_capacity_refusals += u64::from(rules.sp_refused);
        c.empty_rows += u64::from(rules.empty_rows);
        Ok(StepReport { ee_before: report_counts.0, ei_before: report_counts.1, active_e, active_i, rules })
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
            ee_count: self.ee_count,
            ei_count: self.ei_count,
            counters: self.counters,
            init: self.init,
            mode: self.mode,
        }
    }

    /// The used part of the three buffers (`Layout` lengths), for a snapshot.
    pub fn buffers(&self) -> (&[f32], &[u16], &[u32]) {
        let l = &self.layout;
        (
            &self.bufs.f32s.as_ref()[..l.f32_len],
            &self.bufs.u16s.as_ref()[..l.u16_len],
            &self.bufs.u32s.as_ref()[..l.u32_len],
        )
    }

    /// Number of E->E synapses.
    pub fn ee_count(&self) -> u32 {
        self.ee_count
    }

    /// Number of I->E synapses.
    pub fn ei_count(&self) -> u32 {
        self.ei_count
    }

    // Offsets of the arrays read below, mirroring `Layout::split`.
    fn f32_at(&self, k: usize) -> &[f32] {
        let (ne, ni) = (self.layout.ne, self.layout.ni);
        let lens = [self.layout.ee_capacity, self.layout.ei_capacity, ne * ni, ne, ni, ne, ne, ne, ni];
        let start: usize = lens[..k].iter().sum();
        &self.bufs.f32s.as_ref()[start..start + lens[k]]
    }

    fn u16_at(&self, k: usize) -> &[u16] {
        let (ne, ni) = (self.layout.ne, self.layout.ni);
        let lens = [self.layout.ee_capacity, ne, ne, self.layout.ei_capacity, ni, ne];
        let start: usize = lens[..k].iter().sum();
        &self.bufs.u16s.as_ref()[start..start + lens[k]]
    }

    fn u32_at(&self, k: usize) -> &[u32] {
        &self.bufs.u32s.as_ref()[u32_range(&self.layout, k)]
    }

    /// E->E synapses (`[pre][post]` = the package's `Wee`).
    pub fn wee(&self) -> Synapses<'_> {
        Synapses {
            w: self.f32_at(0),
            post: self.u16_at(0),
            out_len: self.u16_at(1),
            in_len: self.u16_at(2),
            out_off: self.u32_at(0),
            in_off: self.u32_at(1),
            in_pos: self.u32_at(2),
        }
    }

    /// I->E synapses (`[pre inhibitory][post excitatory]` = the package's `Wei`).
    pub fn wei(&self) -> Synapses<'_> {
        Synapses {
            w: self.f32_at(1),
            post: self.u16_at(3),
            out_len: self.u16_at(4),
            in_len: self.u16_at(5),
            out_off: self.u32_at(3),
            in_off: self.u32_at(4),
            in_pos: self.u32_at(5),
        }
    }

    /// E->I weights, dense `[pre excitatory][post inhibitory]` (the package's `Wie`), fixed
    /// after initialisation.
    pub fn wie(&self) -> &[f32] {
        self.f32_at(2)
    }

    /// Excitatory thresholds T_E.
    pub fn te(&self) -> &[f32] {
        self.f32_at(3)
    }

    /// Inhibitory thresholds T_I (never change).
    pub fn ti(&self) -> &[f32] {
        self.f32_at(4)
    }

    /// Per-unit IP target rates (all `h_ip` unless `sigma_ip > 0`).
    pub fn ip_targets(&self) -> &[f32] {
        self.f32_at(5)
    }

    fn half(&self, k: usize, n: usize, which: usize) -> Bits<'_> {
        let words = self.u32_at(k);
        let w = words_for(n);
        Bits::new(&words[which * w..(which + 1) * w], n)
    }

    /// Excitatory state x(t) (after the last step).
    pub fn x(&self) -> Bits<'_> {
        self.half(6, self.layout.ne, self.cur)
    }

    /// Excitatory state one step earlier, x(t-1).
    pub fn x_prev(&self) -> Bits<'_> {
        self.half(6, self.layout.ne, self.cur ^ 1)
    }

    /// Inhibitory state y(t).
    pub fn y(&self) -> Bits<'_> {
        self.half(7, self.layout.ni, self.cur)
    }

    /// Inhibitory state y(t-1).
    pub fn y_prev(&self) -> Bits<'_> {
        self.half(7, self.layout.ni, self.cur ^ 1)
    }

    /// Recurrent activation r(t) of the last step: the excitatory drive without the input,
    /// thresholded (recorded only; it never feeds back).
    pub fn r(&self) -> Bits<'_> {
        self.half(8, self.layout.ne, 0)
    }

    /// Number of excitatory units with no incoming E->E synapse.
    pub fn ee_empty_units(&self) -> usize {
        let w = self.wee();
        (0..w.n_post()).filter(|&i| w.in_degree(i) == 0).count()
    }
}

/// Where array `k` of the `u32` buffer lies, in `Layout::split`'s order: E->E out offsets,
/// in offsets, incoming index; the same for I->E; x (two halves), y (two halves), r.
fn u32_range(l: &Layout, k: usize) -> core::ops::Range<usize> {
    let (ne, ni) = (l.ne, l.ni);
    let (we, wi) = (words_for(ne), words_for(ni));
    let lens = [ne + 1, ne + 1, l.ee_capacity, ni + 1, ne + 1, l.ei_capacity, 2 * we, 2 * wi, we];
    let start: usize = lens[..k].iter().sum();
    start..start + lens[k]
}

/// Packs `v[i] > 0` into bits (bit `i % 32` of word `i / 32`).
fn pack_positive(v: &[f32], words: &mut [u32]) {
    for (word, chunk) in words.iter_mut().zip(v.chunks(32)) {
        let mut bits = 0u32;
        for (k, &d) in chunk.iter().enumerate() {
            bits |= u32::from(d > 0.0) << k;
        }
        *word = bits;
    }
}

impl<F, H, W> Sorn<F, H, W>
where
    F: AsRef<[f32]> + AsMut<[f32]>,
    H: AsRef<[u16]> + AsMut<[u16]>,
    W: AsRef<[u32]> + AsMut<[u32]>,
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
        let w = u32_range(&self.layout, 6).start + self.cur * words_for(self.layout.ne) + i / 32;
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
