//! What runs only on a board (built for `target_os = "none"`): the serial port, the cost
//! counter and the stack probe the brain and the scenarios use, and the loop that serves the
//! wire protocol ([`serve`]). One module per board: [`qemu`] (the mps2 machines) always, and
//! with a board feature that board's module, whose `run` is the brain image's whole `main`.
//! [`raw`] holds the stack painting and the CMSDK UART's registers, `rp2040` its boot block:
//! the firmware's only `unsafe`.

use neuroloop_wire::frame::{FrameReader, MAX_FRAME};

use crate::brain::{Brain, Probe, Storage};

#[cfg(feature = "real-board")]
pub mod cycles;
#[cfg(feature = "board-nrf52840")]
pub mod nrf52840;
pub mod qemu;
#[allow(unsafe_code)]
pub mod raw;
// The second-stage bootloader is a static in a link section (an unsafe attribute).
#[cfg(feature = "board-rp2040")]
#[allow(unsafe_code)]
pub mod rp2040;
#[cfg(feature = "board-stm32f411")]
pub mod stm32f411;

// Logs go over RTT to the debug probe, panics are printed there (never semihosting: on a board
// with no debugger attached a semihosting call halts the core).
#[cfg(feature = "real-board")]
use {defmt_rtt as _, panic_probe as _};

/// The brain image's `main` on the board the feature selected.
#[cfg(feature = "board-nrf52840")]
pub use nrf52840::run;
/// The brain image's `main` on the board the feature selected.
#[cfg(feature = "board-rp2040")]
pub use rp2040::run;
/// The brain image's `main` on the board the feature selected.
#[cfg(feature = "board-stm32f411")]
pub use stm32f411::run;

/// The serial port the brain talks through (115200 8N1 on the real boards).
pub trait Port {
    /// Waits for one byte; `None` if the line damaged it (framing, parity, noise, overrun):
    /// the frame it belonged to then fails its CRC and is refused.
    fn read_byte(&mut self) -> Option<u8>;
    /// Sends `bytes` (waits until the last one is handed to the hardware).
    fn write_all(&mut self, bytes: &[u8]);
}

/// Serves the wire protocol on `port` for ever: one frame in, one reply out. The brain works in
/// `storage`, reports costs and stack through `probe` and calls itself `name` in `Hello`.
pub fn serve<P: Probe>(
    storage: &mut Storage,
    reader: &mut FrameReader<MAX_FRAME>,
    port: &mut impl Port,
    probe: P,
    name: &'static str,
) -> ! {
    let (arenas, io) = storage.split();
    let mut brain = Brain::new(arenas, io, probe, name);
    loop {
        let Some(byte) = port.read_byte() else { continue };
        if let Some(frame) = reader.push(byte) {
            port.write_all(brain.serve(frame));
        }
    }
}

/// The brain's entry point and fault handler on a real board. With a board feature both
/// binaries are the brain (a real board has no semihosting to print the test scenarios on), so
/// both expand this one definition.
#[cfg(all(target_os = "none", feature = "real-board"))]
#[macro_export]
macro_rules! real_board_brain {
    () => {
        mod board {
            use neuroloop_wire::frame::{FrameReader, MAX_FRAME};
            use $crate::brain::Storage;

            #[cortex_m_rt::entry]
            fn main() -> ! {
                // Sized at compile time; cortex-m-rt hands these out as `&'static mut`.
                static mut STORAGE: Storage = Storage::new();
                static mut READER: FrameReader<MAX_FRAME> = FrameReader::new();
                $crate::board::run(STORAGE, READER)
            }

            /// Logs where it faulted, then resets (a board with no debugger comes back up serving).
            #[cortex_m_rt::exception]
            unsafe fn HardFault(ef: &cortex_m_rt::ExceptionFrame) -> ! {
                defmt::error!("HardFault at pc={=u32:#010x}", ef.pc());
                cortex_m::peripheral::SCB::sys_reset()
            }
        }
    };
}
