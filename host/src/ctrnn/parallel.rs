//! A batch of CTRNN samples stepped on every core.
//!
//! The batch is cut into contiguous groups of samples and each group is advanced by
//! [`Ctrnn::step_batch`] on its own rayon thread. Samples are independent and `step_batch` gives
//! each one the bits of [`Ctrnn::step`], so the result is the same for any number of threads.
//! Noise is not offered here: one generator shared across threads would make the draws depend on
//! scheduling (use `step_batch` with a generator for seeded noisy batches).

use neuroloop_core::ctrnn::{Ctrnn, Error};
use neuroloop_core::layout::Storage;
use rayon::prelude::*;

/// Fewest samples one thread takes: below this, rayon's hand-off costs more than it saves.
const MIN_SAMPLES_PER_THREAD: usize = 8;

/// [`Ctrnn::step_batch`] without noise, the samples split across rayon's threads: `states` is
/// `B x 2H` (sample-major), `inputs` `B x I`, `outputs` `B x O`. Same bits as `step_batch`.
///
/// ```
/// use neuroloop_core::ctrnn::{Activation, Dims};
/// use neuroloop_host::ctrnn::{InitOptions, random_model, step_batch_parallel};
/// let dims = Dims { inputs: 2, hidden: 16, outputs: 1 };
/// let net = random_model(dims, Activation::Tanh, &InitOptions::default(), 1).network()?;
/// let b = 40;
/// let (mut states, inputs, mut ys) = (vec![0.0f32; b * 32], vec![0.5f32; b * 2], vec![0.0f32; b]);
/// step_batch_parallel(&net, &mut states, &inputs, &mut ys)?;
/// let (mut one, mut y) = (vec![0.0f32; 32], [0.0f32]);
/// net.step(&mut one, &[0.5, 0.5], &mut y, None)?;
/// assert_eq!((&states[39 * 32..], ys[39]), (&one[..], y[0]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn step_batch_parallel<S: Storage<f32> + Sync>(
    net: &Ctrnn<S>,
    states: &mut [f32],
    inputs: &[f32],
    outputs: &mut [f32],
) -> Result<(), Error> {
    let d = net.dims();
    let b = states.len() / (2 * d.hidden);
    let threads = rayon::current_num_threads();
    let consistent = states.len() == b * 2 * d.hidden && inputs.len() == b * d.inputs && outputs.len() == b * d.outputs;
    // Refused inputs are refused before any group moves (as `step_batch` does), with the index
    // counted over the whole batch.
    let bad_input = inputs.iter().any(|x| !x.is_finite());
    if !consistent || bad_input || threads < 2 || b < 2 * MIN_SAMPLES_PER_THREAD {
        // One group: `step_batch` reports any length mismatch or bad input itself.
        return net.step_batch(states, inputs, outputs, None);
    }
    // An even group size keeps the two-sample blocks of the kernel full.
    let per = b.div_ceil(threads).max(MIN_SAMPLES_PER_THREAD).next_multiple_of(2);
    states
        .par_chunks_mut(per * 2 * d.hidden)
        .zip(inputs.par_chunks(per * d.inputs))
        .zip(outputs.par_chunks_mut(per * d.outputs))
        .try_for_each(|((s, u), y)| net.step_batch(s, u, y, None))
}
