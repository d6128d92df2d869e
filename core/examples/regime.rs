use neuroloop_core::rng::NetRng;
use neuroloop_core::sorn::*;
fn main() {
    let cfg = Config::DEFAULT;
    let l = Layout::new(&cfg);
    println!("bytes {}", l.bytes());
    for seed in 0..3 {
        let mut net = Sorn::new(&cfg, seed, Buffers::new(vec![0.0f32; l.f32_len], vec![0u16; l.u16_len], vec![0u32; l.u32_len])).unwrap();
        let mut inp = NetRng::seed_from_u64(seed + 100);
        let start = (net.ee_count(), net.ei_count());
        let (mut re, mut ri) = (0.0, 0.0);
        let t0 = std::time::Instant::now();
        for t in 0..2000 {
            let u: Vec<f32> = (0..10).map(|_| inp.uniform_f32()).collect();
            let rep = net.step(&u).unwrap();
            if t >= 1500 { re += rep.active_e as f64 / 200.0; ri += rep.active_i as f64 / 40.0; }
        }
        let el = t0.elapsed();
        let mte: f32 = net.te().iter().sum::<f32>() / 200.0;
        println!("seed {seed}: start {:?} end ({}, {}) rate_e {:.4} rate_i {:.4} mean_te {:.4} wee_mean {:.4} {:?} {:.2}us/step", start, net.ee_count(), net.ei_count(), re/500.0, ri/500.0, mte, net.wee().mean_weight(), net.counters(), el.as_secs_f64()*1e6/2000.0);
    }
}
