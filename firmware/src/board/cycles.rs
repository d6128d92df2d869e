//! Cost counters of the real boards: core clock cycles, and the stack measured by painting
//! ([`super::raw`]).

use neuroloop_wire::CostUnit;

use super::raw;
use crate::brain::Probe;
use crate::scenarios::Counter;

/// Core cycles from the DWT cycle counter (Cortex-M4F boards). 32 bits: one reading covers
/// 2^32 cycles (43 s at 100 MHz).
#[cfg(any(feature = "board-stm32f411", feature = "board-nrf52840"))]
pub struct Dwt(());

#[cfg(any(feature = "board-stm32f411", feature = "board-nrf52840"))]
impl Dwt {
    /// Turns the cycle counter on (it needs the trace block enabled, debugger or not).
    pub fn new(mut dcb: cortex_m::peripheral::DCB, mut dwt: cortex_m::peripheral::DWT) -> Dwt {
        dcb.enable_trace();
        dwt.enable_cycle_counter();
        Dwt(())
    }
}

#[cfg(any(feature = "board-stm32f411", feature = "board-nrf52840"))]
impl Counter for Dwt {
    fn count<R>(&mut self, f: impl FnOnce() -> R) -> (R, u32) {
        let c0 = cortex_m::peripheral::DWT::cycle_count();
        let r = f();
        let c1 = cortex_m::peripheral::DWT::cycle_count();
        (r, c1.wrapping_sub(c0))
    }
}

#[cfg(any(feature = "board-stm32f411", feature = "board-nrf52840"))]
impl Probe for Dwt {
    fn unit(&self) -> CostUnit {
        CostUnit::Cycles
    }

    fn stack(&self) -> (u32, u32) {
        (raw::high_water() as u32, raw::size() as u32)
    }
}

/// Core cycles from SysTick (the Cortex-M0+ has no DWT cycle counter). 24 bits: one reading
/// covers 2^24 cycles (134 ms at 125 MHz); a longer request wraps and reads short.
#[cfg(feature = "board-rp2040")]
pub struct SysTickCycles(cortex_m::peripheral::SYST);

#[cfg(feature = "board-rp2040")]
impl SysTickCycles {
    /// Starts SysTick free-running from the core clock.
    pub fn new(mut syst: cortex_m::peripheral::SYST) -> Self {
        use cortex_m::peripheral::syst::SystClkSource;
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(0x00ff_ffff);
        syst.clear_current();
        syst.enable_counter();
        SysTickCycles(syst)
    }
}

#[cfg(feature = "board-rp2040")]
impl Counter for SysTickCycles {
    fn count<R>(&mut self, f: impl FnOnce() -> R) -> (R, u32) {
        use cortex_m::peripheral::SYST;
        let s0 = SYST::get_current();
        let r = f();
        let s1 = SYST::get_current();
        (r, s0.wrapping_sub(s1) & 0x00ff_ffff)
    }
}

#[cfg(feature = "board-rp2040")]
impl Probe for SysTickCycles {
    fn unit(&self) -> CostUnit {
        CostUnit::Cycles
    }

    fn stack(&self) -> (u32, u32) {
        (raw::high_water() as u32, raw::size() as u32)
    }
}
