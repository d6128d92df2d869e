//! neuroloop firmware: runs the project's scenarios ([`neuroloop_firmware::scenarios`]) on a
//! Cortex-M board (or QEMU's `mps2-an386` / `mps2-an385` / `microbit`) and prints, over
//! semihosting, one line per scenario with a digest of its whole trajectory; the host's parity
//! test runs the same functions and compares the lines, bit for bit.
//!
//! Scenarios (each behind a cargo feature, all on by default): `sorn`, `ctrnn`, `cartpole`,
//! `sorn-rls` (see the library's docs). The SORN scenarios share one set of buffers, so running
//! both costs no extra RAM for the network.
//!
//! Instruction counts (mps2 boards only; the formula assumes their 25 MHz SysTick): QEMU runs
//! with `-icount shift=10`, so each instruction advances virtual time by 1024 ns and SysTick
//! counts `ticks * 40 / 1024` instructions (`shared/spec/firmware.md` section 9).
//!
//! Stack: after each scenario the board prints `<scenario>_stack_bytes=`, the deepest the stack
//! went while it ran (painting, `src/board/raw.rs`), and once `stack_region_bytes=`, the RAM left
//! for the stack.
//!
//! Build and run under QEMU: `cargo fw-run` (see `.cargo/config.toml`); on a Cortex-M0
//! (micro:bit, 16 KiB RAM) build `--no-default-features --features ctrnn,cartpole` (a default build
//! stops and says so).
//!
//! With a board feature (`board-stm32f411`, `board-nrf52840`, `board-rp2040`) this binary is
//! the brain instead (as `src/bin/brain.rs`): a real board has no semihosting to print the
//! scenarios on, and the brain is what `neuroloop pil --board serial:PATH` talks to.
#![cfg_attr(target_os = "none", no_std, no_main)]

// A real board: both binaries are the brain (one entry point, in the library).
#[cfg(all(target_os = "none", feature = "real-board"))]
neuroloop_firmware::real_board_brain!();

#[cfg(all(target_os = "none", not(feature = "real-board")))]
mod board {
    use cortex_m_rt::entry;
    use cortex_m_semihosting::{debug, hprintln};
    use neuroloop_firmware::board::qemu::SysTick;
    use neuroloop_firmware::board::raw as stack;
    use neuroloop_firmware::scenarios;
    use panic_semihosting as _;

    /// Prints a scenario's line, its instructions per step and its stack peak, then repaints
    /// the stack for the next scenario.
    fn print_scenario(line: &dyn core::fmt::Display, label: &str, instructions: u32, stack_name: &str) {
        let stack_used = stack::high_water();
        hprintln!("{}", line);
        hprintln!("{}_step_instructions={}", label, instructions);
        hprintln!("{}_stack_bytes={}", stack_name, stack_used);
        stack::repaint();
    }

    /// Prints which part of a scenario failed and stops the board with a failure code (the
    /// full message is the host's: see `ScenarioError::part`).
    fn fail(e: scenarios::ScenarioError) -> ! {
        hprintln!("error: {} refused; the host prints why: cargo test --test firmware_parity", e.part());
        debug::exit(debug::EXIT_FAILURE);
        loop {
            cortex_m::asm::wfi();
        }
    }

    #[entry]
    fn main() -> ! {
        // Sized at compile time; cortex-m-rt hands these out as `&'static mut`.
        #[cfg(any(feature = "sorn", feature = "sorn-rls"))]
        static mut F32S: [f32; scenarios::SORN_F32] = [0.0; scenarios::SORN_F32];
        #[cfg(any(feature = "sorn", feature = "sorn-rls"))]
        static mut U16S: [u16; scenarios::SORN_U16] = [0; scenarios::SORN_U16];
        #[cfg(any(feature = "sorn", feature = "sorn-rls"))]
        static mut U32S: [u32; scenarios::SORN_U32] = [0; scenarios::SORN_U32];
        #[cfg(feature = "sorn-rls")]
        static mut RLS: [f32; scenarios::RLS_LEN] = [0.0; scenarios::RLS_LEN];
        let Some(p) = cortex_m::Peripherals::take() else {
            debug::exit(debug::EXIT_FAILURE);
            loop {
                cortex_m::asm::wfi();
            }
        };
        let mut counter = SysTick::new(p.SYST);
        hprintln!("stack_region_bytes={}", stack::size());
        stack::repaint();
        #[cfg(any(feature = "sorn", feature = "sorn-rls"))]
        let bufs = scenarios::SornBuffers::new(&mut F32S[..], &mut U16S[..], &mut U32S[..]);
        #[cfg(feature = "sorn")]
        let bufs = {
            let (r, bufs) = scenarios::sorn(bufs, &mut counter).unwrap_or_else(|e| fail(e));
            print_scenario(&r, "sorn", r.step_instructions, "sorn");
            bufs
        };
        #[cfg(feature = "ctrnn")]
        {
            let r = scenarios::ctrnn(&mut counter).unwrap_or_else(|e| fail(e));
            print_scenario(&r, "ctrnn", r.step_instructions, "ctrnn");
        }
        #[cfg(feature = "cartpole")]
        {
            let r = scenarios::cartpole(&mut counter).unwrap_or_else(|e| fail(e));
            print_scenario(&r, "cartpole_controller", r.step_instructions, "cartpole");
        }
        #[cfg(feature = "sorn-rls")]
        let bufs = {
            let (r, bufs) = scenarios::sorn_rls(bufs, &mut RLS[..], &mut counter).unwrap_or_else(|e| fail(e));
            print_scenario(&r, "sorn_rls", r.step_instructions, "sorn_rls");
            bufs
        };
        #[cfg(any(feature = "sorn", feature = "sorn-rls"))]
        let _ = bufs;
        let _ = &mut counter;
        debug::exit(debug::EXIT_SUCCESS);
        loop {
            cortex_m::asm::wfi();
        }
    }

    neuroloop_firmware::qemu_hard_fault!();
}

// On the PC this binary only says how to build it for a board.
neuroloop_firmware::host_stub!(
    "neuroloop-firmware runs on a board: build it with `cargo fw` (thumbv7em-none-eabihf) or --target thumbv7m-none-eabi"
);
