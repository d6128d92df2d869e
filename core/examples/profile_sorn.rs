//! Profiling driver for one SORN step: 2,000 warm-up steps, then N more (default 5,000) of the
//! default network. `valgrind --tool=callgrind target/release/examples/profile_sorn 20000`
//! counts instructions per source line (repeatable, unlike wall time on a shared machine).
//!
//! Arguments: `N [NE [plastic|frozen]]`. `NE` other than 200 is `Config::with_size(NE, 10)` (as
//! `cargo bench --bench sorn` builds it); `frozen` runs the N measured steps in the training
//! phase with noise on (the warm-up is always plastic). Subtract the run with `N = 0` and
//! divide by N for the cost of one step.
//!
//! It prints the counters and a digest of every buffer word and the scalar state after the
//! run: a change meant only for speed must leave it as it was.
use neuroloop_core::digest::Fnv1a;
use neuroloop_core::rng::NetRng;
use neuroloop_core::sorn::*;
fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(5000, |s| s.parse().unwrap());
    let ne: u32 = args.next().map_or(200, |s| s.parse().unwrap());
    let frozen = match args.next().as_deref() {
        None | Some("plastic") => false,
        Some("frozen") => true,
        Some(other) => panic!("unknown mode {other:?} (plastic or frozen)"),
    };
    let cfg = if ne == 200 { Config::DEFAULT } else { Config::with_size(ne, 10) };
    let l = Layout::new(&cfg);
    let mut net =
        Sorn::new(&cfg, 1, Buffers::new(vec![0.0f32; l.f32_len], vec![0u16; l.u16_len], vec![0u32; l.u32_len]))
            .unwrap();
    let mut inp = NetRng::seed_from_u64(100);
    let mut u = [0f32; 10];
    for t in 0..2000 + n {
        if t == 2000 && frozen {
            net.set_mode(Mode::training(true));
        }
        u.iter_mut().for_each(|v| *v = inp.uniform_f32());
        net.step(&u).unwrap();
    }
    let b = net.buffers();
    let mut d = Fnv1a::new();
    d.write_f32s(b.f32s);
    d.write_words(b.u16s.iter().map(|&h| u32::from(h)));
    d.write_words(b.u32s.iter().copied());
    d.write_words(net.scalars().rng.chunks(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])));
    println!("{:?}\ndigest of the buffers and generator: {:#010x}", net.counters(), d.finish());
}
