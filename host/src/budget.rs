//! Memory budgets: every resource a configuration or an input implies is checked against a
//! stated budget before it is allocated, so an absurd (or hostile) config is a clear error
//! naming the bytes, never an abort on a failed allocation.

use std::fmt;

/// The default budget for one command's allocations: 8 GiB (the reference machine has 24).
/// `NEUROLOOP_MEMORY_BUDGET_MB` overrides it.
pub const DEFAULT_BYTES: u64 = 8 << 30;

/// The budget in force: `NEUROLOOP_MEMORY_BUDGET_MB` if set to a number, else
/// [`DEFAULT_BYTES`].
pub fn bytes() -> u64 {
    std::env::var("NEUROLOOP_MEMORY_BUDGET_MB")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|mb| mb.is_finite() && *mb >= 0.0)
        .map_or(DEFAULT_BYTES, |mb| (mb * 1e6) as u64)
}

/// Something that would need more memory than the budget allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverBudget {
    /// What would have been allocated.
    pub what: String,
    /// Bytes it needs.
    pub needed: u64,
    /// The budget.
    pub budget: u64,
}

impl fmt::Display for OverBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} would need {} but the memory budget is {} (set NEUROLOOP_MEMORY_BUDGET_MB to change it)",
            self.what,
            human(self.needed),
            human(self.budget)
        )
    }
}

impl std::error::Error for OverBudget {}

/// Bytes as MB or GB for messages.
fn human(b: u64) -> String {
    if b >= 10_000_000_000 { format!("{:.1} GB", b as f64 / 1e9) } else { format!("{:.1} MB", b as f64 / 1e6) }
}

/// `Ok` when `needed <= budget`; `needed` is computed by the caller with saturating arithmetic.
///
/// ```
/// use neuroloop_host::budget::check;
/// assert!(check("a network", 1_000, 2_000).is_ok());
/// let e = check("a network", u64::MAX, 8 << 30).unwrap_err();
/// assert!(e.to_string().starts_with("a network would need"));
/// ```
pub fn check(what: impl Into<String>, needed: u64, budget: u64) -> Result<(), OverBudget> {
    if needed > budget { Err(OverBudget { what: what.into(), needed, budget }) } else { Ok(()) }
}

/// `count` items of `size` bytes, saturating.
pub fn items(count: u64, size: usize) -> u64 {
    count.saturating_mul(size as u64)
}
