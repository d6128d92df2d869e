//! The board's side of the wire: arbitrary bytes through the frame reader into the brain
//! (decoding, every request's checks, loads, state transfers). Every frame gets exactly one
//! reply that decodes, the brain never panics, and a valid exchange still works afterwards.
#![no_main]
use libfuzzer_sys::fuzz_target;
use neuroloop_firmware::brain::{Arenas, Brain, Io, NoProbe};
use neuroloop_wire::frame::{FrameReader, MAX_FRAME};
use neuroloop_wire::{Codec, Reply, Request, VERSION, decode_reply};

fuzz_target!(|data: &[u8]| {
    // Small arenas: a few hundred units at most, so each input runs fast.
    let (mut net, mut lists, mut words) = (vec![0.0f32; 4096], vec![0u16; 2048], vec![0u32; 2048]);
    let (mut readout, mut scratch, mut staging) = (vec![0.0f32; 1024], vec![0.0f32; 256], vec![0.0f32; 192]);
    let arenas = Arenas {
        net: &mut net,
        lists: &mut lists,
        words: &mut words,
        readout: &mut readout,
        scratch: &mut scratch,
        staging: &mut staging,
    };
    let mut io = Io::new();
    let mut brain = Brain::new(arenas, &mut io, NoProbe, "fuzz");
    let mut reader = FrameReader::<MAX_FRAME>::new();
    let mut check = |reply: &[u8]| {
        let (last, body) = reply.split_last().expect("a reply is never empty");
        assert_eq!(*last, 0);
        let mut body = body.to_vec();
        decode_reply(&mut body).expect("every reply decodes");
    };
    for &b in data.iter().chain([0u8].iter()) {
        if let Some(frame) = reader.push(b) {
            check(brain.serve(frame));
        }
    }
    let mut codec = Codec::new();
    let mut hello = codec.request(1, &Request::Hello { version: VERSION }).unwrap().to_vec();
    hello.pop();
    let mut bytes = brain.serve(Ok(&mut hello)).to_vec();
    bytes.pop();
    assert!(matches!(decode_reply(&mut bytes), Ok((1, Reply::Hello(_)))));
});
