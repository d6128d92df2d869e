//! Snapshots: round trips, bit-exact resume, and every kind of damaged file.

mod common;

use neuroloop_core::rng::NetRng;
use neuroloop_core::sorn::{Config, Freeze, Mode, RestoreError, Rule};
use neuroloop_host::sorn::snapshot::{self, MAGIC, Snapshot, SnapshotError, decode, encode};
use neuroloop_host::sorn::{HostSorn, build, input_rng};

/// Steps `net` with the README input, returning each step's spike words.
fn run(net: &mut HostSorn, inputs: &mut NetRng, steps: usize) -> Vec<Vec<u32>> {
    let mut u = [0.0f32; 10];
    (0..steps)
        .map(|_| {
            u.iter_mut().for_each(|v| *v = inputs.uniform_f32());
            net.step(&u).unwrap();
            let mut w = net.x().words().to_vec();
            w.extend_from_slice(net.y().words());
            w
        })
        .collect()
}

/// E->E and I->E synapses as (pre, post, weight bits), and the thresholds' bits.
type Fingerprint = (Vec<(u16, u16, u32)>, Vec<(u16, u16, u32)>, Vec<u32>);

fn fingerprint(net: &HostSorn) -> Fingerprint {
    let ee = net.wee().iter().map(|s| (s.pre, s.post, s.w.to_bits())).collect();
    let ei = net.wei().iter().map(|s| (s.pre, s.post, s.w.to_bits())).collect();
    (ee, ei, net.te().iter().map(|t| t.to_bits()).collect())
}

#[test]
fn resume_is_bit_exact() {
    let n = 700;
    // 2N steps straight.
    let mut straight = build(&Config::DEFAULT, 4).unwrap();
    let mut inputs = input_rng(4);
    let mut spikes_straight = run(&mut straight, &mut inputs, 2 * n);
    // N steps, save to a file, load, N steps.
    let mut first = build(&Config::DEFAULT, 4).unwrap();
    let mut inputs = input_rng(4);
    let mut spikes = run(&mut first, &mut inputs, n);
    let tmp = common::temp_dir();
    let dir = tmp.path();
    let path = dir.join("state.nlsnap");
    snapshot::save(&path, &Snapshot { net: first, seed: 4, input_rng: Some(inputs) }).unwrap();
    let loaded = snapshot::load(&path).unwrap();
    let (mut second, mut inputs) = (loaded.net, loaded.input_rng.unwrap());
    spikes.extend(run(&mut second, &mut inputs, n));
    assert_eq!(spikes.len(), spikes_straight.len());
    assert!(spikes == spikes_straight, "spike trains differ after resume");
    assert_eq!(fingerprint(&second), fingerprint(&straight));
    assert_eq!(second.counters(), straight.counters());
    assert_eq!(second.rng(), straight.rng());
    // And the two keep agreeing.
    spikes_straight = run(&mut straight, &mut input_rng(99), 50);
    assert_eq!(run(&mut second, &mut input_rng(99), 50), spikes_straight);
}

#[test]
fn round_trip_keeps_every_byte_and_the_mode() {
    let mut net = build(&Config::with_size(120, 6), 9).unwrap();
    net.set_mode(Mode { freeze: Freeze::NONE.with(Rule::Sp), noise: false, ..Mode::default() });
    for _ in 0..100 {
        net.step(&[0.3; 6]).unwrap();
    }
    let bytes = encode(&Snapshot { net: net.clone(), seed: 9, input_rng: None }).unwrap();
    assert_eq!(bytes[..8], MAGIC);
    let back = decode(&bytes).unwrap();
    assert!(back.net.buffers() == net.buffers());
    assert_eq!(back.net.scalars(), net.scalars());
    assert_eq!(back.net.config(), net.config());
    assert_eq!(encode(&back).unwrap(), bytes);
}

fn bytes() -> Vec<u8> {
    let mut net = build(&Config::DEFAULT, 1).unwrap();
    net.step(&[0.5; 10]).unwrap();
    encode(&Snapshot { net, seed: 1, input_rng: None }).unwrap()
}

/// Rewrites the checksum so a deliberate change passes it.
fn reseal(mut b: Vec<u8>) -> Vec<u8> {
    let end = b.len() - 4;
    let crc = snapshot::crc32(&b[..end]);
    b[end..].copy_from_slice(&crc.to_le_bytes());
    b
}

#[test]
fn wrong_magic() {
    let mut b = bytes();
    b[1] = b'X';
    assert!(matches!(decode(&b), Err(SnapshotError::BadMagic)));
    assert!(matches!(decode(b"not a snapshot at all, just text"), Err(SnapshotError::BadMagic)));
    assert!(matches!(decode(b""), Err(SnapshotError::Truncated { .. })));
}

#[test]
fn wrong_version() {
    let mut b = bytes();
    b[8..12].copy_from_slice(&5u32.to_le_bytes());
    assert!(matches!(decode(&b), Err(SnapshotError::UnsupportedVersion { found: 5 })));
    b[8..12].copy_from_slice(&0u32.to_le_bytes());
    assert!(matches!(decode(&b), Err(SnapshotError::UnsupportedVersion { found: 0 })));
}

/// An old snapshot file (`neuroloop sorn run --steps 50 --seed 3 --out DIR` of an older
/// neuroloop) loads and continues exactly as a fresh run of the same seed.
fn old_file_continues_exactly(name: &str, version: u32) {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(bytes[8..12], version.to_le_bytes());
    let Snapshot { mut net, seed, input_rng: rng } = decode(&bytes).unwrap();
    assert_eq!((seed, net.counters().steps), (3, 50));
    assert_eq!(*net.config(), Config::DEFAULT, "older configs read with today's defaults for new fields");
    let mut rng = rng.unwrap();
    let mut fresh = build(&Config::DEFAULT, 3).unwrap();
    let mut fresh_rng = input_rng(3);
    let mut u = [0.0f32; 10];
    for _ in 0..50 {
        u.iter_mut().for_each(|v| *v = fresh_rng.uniform_f32());
        fresh.step(&u).unwrap();
    }
    for _ in 0..50 {
        u.iter_mut().for_each(|v| *v = rng.uniform_f32());
        net.step(&u).unwrap();
        u.iter_mut().for_each(|v| *v = fresh_rng.uniform_f32());
        fresh.step(&u).unwrap();
        assert_eq!(net.x(), fresh.x());
    }
    // The old binaries' 100-step summary of the same run: E->E 3,903, I->E 1,521.
    assert_eq!((net.ee_count(), net.ei_count()), (3903, 1521));
    assert!(net.buffers() == fresh.buffers() && net.scalars() == fresh.scalars());
}

#[test]
fn version_1_files_still_load_and_continue_exactly() {
    // Format 1: the scalars flattened, the synapse counts stored.
    old_file_continues_exactly("snapshot_v1.nlsnap", 1);
}

#[test]
fn version_2_files_still_load_and_continue_exactly() {
    // Format 2: the config before `fast_inhibition`.
    old_file_continues_exactly("snapshot_v2.nlsnap", 2);
}

#[test]
fn version_3_files_with_sparse_e_to_i_load_as_lists_and_continue_exactly() {
    // Format 3 stored a lambda_ie network's E->I in the dense matrix (`neuroloop sorn run
    // --config C --steps 50 --seed 3 --out DIR` at commit 286ea45, C = lambda_ie 10 and
    // ee_spare_per_unit 4); reading converts it to lists.
    let path = format!("{}/tests/fixtures/snapshot_v3_lambda_ie.nlsnap", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(bytes[8..12], 3u32.to_le_bytes());
    let Snapshot { mut net, seed, input_rng: rng } = decode(&bytes).unwrap();
    let cfg = Config { lambda_ie: Some(10.0), ..Config::DEFAULT };
    assert_eq!((seed, net.counters().steps, *net.config()), (3, 50, cfg));
    assert!(net.wie().is_sparse());
    let mut fresh = build(&cfg, 3).unwrap();
    let mut fresh_rng = input_rng(3);
    run(&mut fresh, &mut fresh_rng, 50);
    assert!(net.buffers() == fresh.buffers() && net.scalars() == fresh.scalars(), "the same network as today's build");
    let mut rng = rng.unwrap();
    assert_eq!(run(&mut net, &mut rng, 50), run(&mut fresh, &mut fresh_rng, 50));
    // The old binary's 100-step summary of the same run: E->E 3,895, I->E 1,541, mean T_E.
    assert_eq!((net.ee_count(), net.ei_count()), (3895, 1541));
    let mean_te = net.te().iter().map(|&t| f64::from(t)).sum::<f64>() / 200.0;
    assert_eq!(mean_te, 0.4531705608498305);
    // Written again, it is a version-4 file of the lists.
    let again = encode(&Snapshot { net, seed, input_rng: Some(rng) }).unwrap();
    assert_eq!(again[8..12], 4u32.to_le_bytes());
    assert!(again.len() < bytes.len());
    assert!(decode(&again).unwrap().net.buffers() == fresh.buffers());
}

#[test]
fn corrupted_payload_fails_the_checksum() {
    let mut b = bytes();
    let mid = b.len() / 2;
    b[mid] ^= 0x40;
    match decode(&b) {
        Err(SnapshotError::Checksum { stored, computed }) => assert_ne!(stored, computed),
        other => panic!("expected a checksum error, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn truncated_and_overlong_files() {
    let b = bytes();
    for cut in [10, 19, 20, 100, b.len() / 2, b.len() - 1] {
        assert!(matches!(decode(&b[..cut]), Err(SnapshotError::Truncated { .. })), "cut at {cut}");
    }
    let mut long = b.clone();
    long.extend_from_slice(b"junk");
    assert!(matches!(decode(&long), Err(SnapshotError::TrailingBytes { extra: 4 })));
}

#[test]
fn consistent_checksum_but_inconsistent_network_is_refused() {
    // Damage the payload in many places, reseal the checksum: every result is an error
    // (decode or invalid network) or, where the byte was unimportant, a valid network; never a
    // panic.
    let b = bytes();
    let mut rejected = 0;
    for k in (20..b.len() - 4).step_by(97) {
        let mut d = b.clone();
        d[k] = d[k].wrapping_add(0x55);
        match decode(&reseal(d)) {
            Ok(s) => {
                // A snapshot that decodes must also run.
                let mut net = s.net;
                net.step(&[0.5; 10]).unwrap();
            }
            Err(SnapshotError::Decode(_) | SnapshotError::Invalid(_)) => rejected += 1,
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert!(rejected > 0);
}

#[test]
fn the_incoming_index_is_checked() {
    // Break the consistency of the E->E incoming index directly.
    let mut net = build(&Config::DEFAULT, 2).unwrap();
    net.step(&[0.5; 10]).unwrap();
    let b = net.buffers();
    let (f, h, mut w) = (b.f32s.to_vec(), b.u16s.to_vec(), b.u32s.to_vec());
    // Swap two entries of the E->E incoming index that belong to different rows.
    let in_pos = net.layout().u32s.ee_in_pos;
    w.swap(in_pos.start, in_pos.end() - 1);
    let r =
        neuroloop_core::sorn::Sorn::restore(net.config(), &net.scalars(), neuroloop_core::sorn::Buffers::new(f, h, w));
    assert!(matches!(r, Err(RestoreError::Corrupt { what: "E->E" })), "{:?}", r.map(|_| ()));
}
