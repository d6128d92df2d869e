//! neuroloop firmware: runs the default SORN with plasticity on a Cortex-M board (or QEMU's
//! `mps2-an386`) and prints, over semihosting, its synapse counts and a digest of its spikes.
//!
//! Build and run under QEMU: `cargo fw-run` (see `.cargo/config.toml`).
#![cfg_attr(target_os = "none", no_std, no_main)]

#[cfg(target_os = "none")]
mod board {
    use cortex_m_rt::entry;
    use cortex_m_semihosting::{debug, hprintln};
    use neuroloop_core::rng::NetRng;
    use neuroloop_core::sorn::{Buffers, Config, Layout, Sorn};
    use panic_semihosting as _;

    const CFG: Config = Config::DEFAULT;
    const LAYOUT: Layout = Layout::new(&CFG);
    const STEPS: u32 = 200;
    const SEED: u64 = 1;

    #[entry]
    fn main() -> ! {
        // Sized at compile time from the config; cortex-m-rt hands these out as `&'static mut`.
        static mut F32S: [f32; LAYOUT.f32_len] = [0.0; LAYOUT.f32_len];
        static mut U16S: [u16; LAYOUT.u16_len] = [0; LAYOUT.u16_len];
        static mut U32S: [u32; LAYOUT.u32_len] = [0; LAYOUT.u32_len];
        let bufs = Buffers::new(&mut F32S[..], &mut U16S[..], &mut U32S[..]);
        let mut net = match Sorn::new(&CFG, SEED, bufs) {
            Ok(net) => net,
            Err(_) => {
                hprintln!("error: invalid network");
                debug::exit(debug::EXIT_FAILURE);
                loop {}
            }
        };
        // The README input: uniform [0, 1) from the seed's jumped stream (as the host does).
        let mut inputs = NetRng::seed_from_u64(SEED);
        inputs.jump();
        let mut u = [0.0f32; CFG.nu as usize];
        // FNV-1a over every step's spike words: a digest the host can recompute.
        let mut digest: u32 = 0x811c_9dc5;
        for _ in 0..STEPS {
            u.iter_mut().for_each(|v| *v = inputs.uniform_f32());
            if net.step(&u).is_err() {
                debug::exit(debug::EXIT_FAILURE);
            }
            for w in net.x().words().iter().chain(net.y().words()) {
                for b in w.to_le_bytes() {
                    digest = (digest ^ u32::from(b)).wrapping_mul(0x0100_0193);
                }
            }
        }
        hprintln!("sorn steps={} ee={} ei={} digest={:#010x}", STEPS, net.ee_count(), net.ei_count(), digest);
        debug::exit(debug::EXIT_SUCCESS);
        loop {}
    }

    #[cortex_m_rt::exception]
    unsafe fn HardFault(ef: &cortex_m_rt::ExceptionFrame) -> ! {
        hprintln!("HardFault at pc={:#010x}", ef.pc());
        debug::exit(debug::EXIT_FAILURE);
        loop {}
    }
}

#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!(
        "neuroloop-firmware runs on a board: build it with `cargo fw` (thumbv7em-none-eabihf) or --target thumbv7m-none-eabi"
    );
    std::process::exit(2);
}
