//! The brain image: serves the wire protocol ([`neuroloop_wire`]) on the board's serial port,
//! so a PC runs the plant and `neuroloop pil` puts the policy here
//! ([`neuroloop_firmware::brain`]). One frame in, one frame out, for ever.
//!
//! Under QEMU (`mps2-an386`, `mps2-an385`) the port is UART0, which `neuroloop pil
//! --board qemu-m4f|qemu-m3` connects to a unix socket; costs are instructions (SysTick under
//! `-icount`), the stack is measured by painting.
//!
//! On a real board (features `board-stm32f411`, `board-nrf52840`, `board-rp2040`) the port is
//! that board's UART at 115200 8N1, costs are core cycles, logs go over RTT (defmt); the
//! default binary (`neuroloop-firmware`) is then this same brain (docs/boards.md).
//!
//! Build: `cargo build -p neuroloop-firmware --profile firmware --target thumbv7em-none-eabihf
//! --bin brain` (or `thumbv7m-none-eabi` for the M3).
#![cfg_attr(target_os = "none", no_std, no_main)]

// A real board: both binaries are the brain (one entry point, in the library).
#[cfg(all(target_os = "none", feature = "real-board"))]
neuroloop_firmware::real_board_brain!();

#[cfg(all(target_os = "none", not(feature = "real-board")))]
mod board {
    use cortex_m_rt::entry;
    use neuroloop_firmware::board::qemu::{NAME, Serial, SysTick};
    use neuroloop_firmware::brain::Storage;
    use neuroloop_wire::frame::{FrameReader, MAX_FRAME};
    use panic_semihosting as _;

    #[entry]
    fn main() -> ! {
        // Sized at compile time; cortex-m-rt hands these out as `&'static mut`.
        static mut STORAGE: Storage = Storage::new();
        static mut READER: FrameReader<MAX_FRAME> = FrameReader::new();
        let Some(p) = cortex_m::Peripherals::take() else {
            loop {
                cortex_m::asm::wfi();
            }
        };
        neuroloop_firmware::board::serve(STORAGE, READER, &mut Serial::new(), SysTick::new(p.SYST), NAME)
    }

    neuroloop_firmware::qemu_hard_fault!();
}

// On the PC this binary only says how to build it for a board.
neuroloop_firmware::host_stub!(
    "the brain runs on a board: cargo build -p neuroloop-firmware --profile firmware --target thumbv7em-none-eabihf --bin brain"
);
