use neuroloop_core::rng::NetRng;
use neuroloop_core::sorn::*;
fn main() {
    let cfg = Config::DEFAULT;
    let l = Layout::new(&cfg);
    let mk = || Sorn::new(&cfg, 1, Buffers::new(vec![0.0f32; l.f32_len], vec![0u16; l.u16_len], vec![0u32; l.u32_len])).unwrap();
    let mut base = mk();
    let mut inp = NetRng::seed_from_u64(100);
    let mut u = [0f32; 10];
    for _ in 0..2000 { u.iter_mut().for_each(|v| *v = inp.uniform_f32()); base.step(&u).unwrap(); }
    let variants: [(&str, Mode); 8] = [
        ("all", Mode::default()),
        ("frozen", Mode { phase: Phase::Training, ..Mode::default() }),
        ("frozen-nonoise", Mode { phase: Phase::Training, noise: false, ..Mode::default() }),
        ("-stdp", Mode { freeze: Freeze::NONE.with(Rule::Stdp), ..Mode::default() }),
        ("-ip", Mode { freeze: Freeze::NONE.with(Rule::Ip), ..Mode::default() }),
        ("-sp", Mode { freeze: Freeze::NONE.with(Rule::Sp), ..Mode::default() }),
        ("-istdp", Mode { freeze: Freeze::NONE.with(Rule::Istdp), ..Mode::default() }),
        ("-ss", Mode { freeze: Freeze::NONE.with(Rule::Ss), ..Mode::default() }),
    ];
    for (name, mode) in variants {
        let mut net = base.clone();
        net.set_mode(mode);
        let n = 20000;
        let t0 = std::time::Instant::now();
        for _ in 0..n { u.iter_mut().for_each(|v| *v = inp.uniform_f32()); net.step(&u).unwrap(); }
        println!("{name:16} {:.3} us/step", t0.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
}
