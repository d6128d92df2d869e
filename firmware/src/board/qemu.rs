//! QEMU's `mps2-an386` (Cortex-M4F) and `mps2-an385` (Cortex-M3): the CMSDK UART0 (QEMU's
//! `-serial`), instructions counted through SysTick under `-icount shift=10`, the stack by
//! painting.

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use neuroloop_wire::CostUnit;

use super::{Port, raw};
use crate::brain::Probe;
use crate::scenarios::Counter;

/// The board's name in `Hello`.
pub const NAME: &str = if cfg!(target_abi = "eabihf") { "qemu-mps2-an386" } else { "qemu-mps2-an385" };

/// Instruction counter over SysTick under `-icount shift=10`: each instruction advances
/// virtual time by 1024 ns and SysTick (25 MHz) counts `ticks * 40 / 1024` instructions
/// (`shared/spec/firmware.md` section 9; at most ~655,000 per reading).
pub struct SysTick(SYST);

impl SysTick {
    /// Starts SysTick free-running from the core clock.
    pub fn new(mut syst: SYST) -> Self {
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(0x00ff_ffff);
        syst.clear_current();
        syst.enable_counter();
        SysTick(syst)
    }
}

impl Counter for SysTick {
    fn count<R>(&mut self, f: impl FnOnce() -> R) -> (R, u32) {
        let s0 = SYST::get_current();
        let r = f();
        let s1 = SYST::get_current();
        let ticks = s0.wrapping_sub(s1) & 0x00ff_ffff;
        (r, ticks * 40 / 1024)
    }
}

impl Probe for SysTick {
    fn unit(&self) -> CostUnit {
        CostUnit::Instructions
    }

    fn stack(&self) -> (u32, u32) {
        (raw::high_water() as u32, raw::size() as u32)
    }
}

/// The serial port: UART0.
pub struct Serial(raw::CmsdkUart);

impl Serial {
    /// UART0, on.
    pub fn new() -> Serial {
        Serial(raw::CmsdkUart::uart0())
    }
}

impl Port for Serial {
    fn read_byte(&mut self) -> Option<u8> {
        Some(self.0.read_byte())
    }

    fn write_all(&mut self, bytes: &[u8]) {
        bytes.iter().for_each(|&b| self.0.write_byte(b));
    }
}

impl Default for Serial {
    fn default() -> Self {
        Self::new()
    }
}

/// The HardFault handler of the QEMU images: prints where it faulted over semihosting and
/// ends QEMU with a failure code (so a test sees the fault instead of a hang).
#[macro_export]
macro_rules! qemu_hard_fault {
    () => {
        #[cortex_m_rt::exception]
        unsafe fn HardFault(ef: &cortex_m_rt::ExceptionFrame) -> ! {
            cortex_m_semihosting::hprintln!("HardFault at pc={:#010x}", ef.pc());
            cortex_m_semihosting::debug::exit(cortex_m_semihosting::debug::EXIT_FAILURE);
            loop {
                cortex_m::asm::wfi();
            }
        }
    };
}
