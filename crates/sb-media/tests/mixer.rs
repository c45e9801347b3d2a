//! The mixer's rules: conference, listen, whisper, barge, and changes
//! between ticks.

use sb_media::frame::{FRAME_SAMPLES, Frame, SILENCE};
use sb_media::mixer::{Membership, Mixer, PartyId};

const CALLER: PartyId = 1;
const AGENT: PartyId = 2;
const SUPERVISOR: PartyId = 3;

/// A frame that says who sent it and when: distinct per party, tick and
/// sample, and small enough that sums of six never clamp.
fn voice(party: PartyId, tick: usize) -> Frame {
    std::array::from_fn(|n| {
        let value = (party as i32 * 1_000 + tick as i32 * 37 + n as i32) % 5_000;
        (if party.is_multiple_of(2) {
            -value
        } else {
            value
        }) as i16
    })
}

fn sum(frames: &[Frame]) -> Frame {
    std::array::from_fn(|n| {
        let total: i32 = frames.iter().map(|frame| i32::from(frame[n])).sum();
        total.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16
    })
}

/// Mixes one tick in which every party in `talking` sends its voice.
fn tick(mixer: &mut Mixer, talking: &[PartyId], tick: usize) -> Vec<(PartyId, Frame)> {
    let inputs: Vec<(PartyId, Frame)> = talking
        .iter()
        .map(|&party| (party, voice(party, tick)))
        .collect();
    let mut outputs = Vec::new();
    mixer.mix(&inputs, &mut outputs);
    outputs
}

fn heard_by(outputs: &[(PartyId, Frame)], party: PartyId) -> Frame {
    let mut found = outputs.iter().filter(|(id, _)| *id == party);
    let (_, frame) = found
        .next()
        .unwrap_or_else(|| panic!("no output for {party}"));
    assert!(found.next().is_none(), "two outputs for {party}");
    *frame
}

#[test]
fn each_conference_member_hears_exactly_the_others() {
    let ids: [PartyId; 6] = [10, 3, 7, 42, 5, 99];
    for count in 2..=6 {
        let parties = &ids[..count];
        let mut mixer = Mixer::new();
        for &party in parties {
            mixer.join(party, Membership::Full);
        }
        assert_eq!(mixer.len(), count);

        let outputs = tick(&mut mixer, parties, 7);
        assert_eq!(outputs.len(), count);
        for &party in parties {
            let others: Vec<Frame> = parties
                .iter()
                .filter(|&&other| other != party)
                .map(|&other| voice(other, 7))
                .collect();
            assert_eq!(
                heard_by(&outputs, party),
                sum(&others),
                "{count} parties, heard by {party}"
            );
        }
    }
}

#[test]
fn sums_are_clamped_not_wrapped() {
    let mut mixer = Mixer::new();
    for party in [1, 2, 3] {
        mixer.join(party, Membership::Full);
    }
    let mut outputs = Vec::new();
    let loud = |value: i16| [value; FRAME_SAMPLES];

    mixer.mix(
        &[
            (1, loud(i16::MAX)),
            (2, loud(i16::MAX)),
            (3, loud(i16::MAX)),
        ],
        &mut outputs,
    );
    assert!(outputs.iter().all(|(_, frame)| *frame == loud(i16::MAX)));

    mixer.mix(
        &[
            (1, loud(i16::MIN)),
            (2, loud(i16::MIN)),
            (3, loud(i16::MIN)),
        ],
        &mut outputs,
    );
    assert!(outputs.iter().all(|(_, frame)| *frame == loud(i16::MIN)));

    // The total is exact in i32: taking a clamped party back out of a
    // saturated sum would go wrong.
    mixer.mix(
        &[
            (1, loud(i16::MAX)),
            (2, loud(i16::MAX)),
            (3, loud(i16::MIN)),
        ],
        &mut outputs,
    );
    assert_eq!(heard_by(&outputs, 1), loud(-1));
    assert_eq!(heard_by(&outputs, 2), loud(-1));
    assert_eq!(heard_by(&outputs, 3), loud(i16::MAX));
}

/// A monitored call: caller and agent talking, the supervisor in `mode`.
fn monitored(mode: Membership) -> (Frame, Frame, Frame) {
    let mut mixer = Mixer::new();
    mixer.join(CALLER, Membership::Full);
    mixer.join(AGENT, Membership::Full);
    mixer.join(SUPERVISOR, mode);
    let outputs = tick(&mut mixer, &[CALLER, AGENT, SUPERVISOR], 0);
    assert_eq!(outputs.len(), 3);
    (
        heard_by(&outputs, CALLER),
        heard_by(&outputs, AGENT),
        heard_by(&outputs, SUPERVISOR),
    )
}

#[test]
fn a_listening_supervisor_hears_both_and_is_heard_by_nobody() {
    let (caller, agent, supervisor) = monitored(Membership::Listen);
    assert_eq!(supervisor, sum(&[voice(CALLER, 0), voice(AGENT, 0)]));
    assert_eq!(caller, voice(AGENT, 0));
    assert_eq!(agent, voice(CALLER, 0));
}

#[test]
fn a_whispering_supervisor_is_heard_by_the_agent_only() {
    let (caller, agent, supervisor) = monitored(Membership::Whisper { to: AGENT });
    assert_eq!(supervisor, sum(&[voice(CALLER, 0), voice(AGENT, 0)]));
    assert_eq!(caller, voice(AGENT, 0));
    assert_eq!(agent, sum(&[voice(CALLER, 0), voice(SUPERVISOR, 0)]));
}

#[test]
fn a_barging_supervisor_is_a_full_member() {
    let (caller, agent, supervisor) = monitored(Membership::Full);
    assert_eq!(supervisor, sum(&[voice(CALLER, 0), voice(AGENT, 0)]));
    assert_eq!(caller, sum(&[voice(AGENT, 0), voice(SUPERVISOR, 0)]));
    assert_eq!(agent, sum(&[voice(CALLER, 0), voice(SUPERVISOR, 0)]));
}

#[test]
fn silent_members_still_get_a_frame_and_strangers_are_ignored() {
    let mut mixer = Mixer::new();
    mixer.join(CALLER, Membership::Full);
    mixer.join(AGENT, Membership::Full);
    // The agent sent nothing this tick; party 77 is not in the mix.
    let outputs = tick(&mut mixer, &[CALLER, 77], 0);
    assert_eq!(outputs.len(), 2);
    assert_eq!(heard_by(&outputs, CALLER), SILENCE);
    assert_eq!(heard_by(&outputs, AGENT), voice(CALLER, 0));

    // A whisper to someone not in the mix reaches nobody.
    mixer.join(SUPERVISOR, Membership::Whisper { to: 77 });
    let outputs = tick(&mut mixer, &[CALLER, AGENT, SUPERVISOR], 1);
    assert_eq!(heard_by(&outputs, CALLER), voice(AGENT, 1));
    assert_eq!(heard_by(&outputs, AGENT), voice(CALLER, 1));
}

#[test]
fn changes_take_effect_at_the_next_tick_and_nobody_misses_a_frame() {
    let mut mixer = Mixer::new();
    mixer.join(CALLER, Membership::Full);
    mixer.join(AGENT, Membership::Full);
    let everyone = [CALLER, AGENT, SUPERVISOR];

    for t in 0..8 {
        match t {
            2 => mixer.join(SUPERVISOR, Membership::Listen),
            3 => mixer.join(SUPERVISOR, Membership::Whisper { to: AGENT }),
            4 => mixer.join(SUPERVISOR, Membership::Full),
            6 => mixer.leave(AGENT),
            _ => {}
        }
        let outputs = tick(&mut mixer, &everyone, t);
        let v = |party| voice(party, t);
        let caller_hears = match t {
            0..4 => v(AGENT),
            4..6 => sum(&[v(AGENT), v(SUPERVISOR)]),
            _ => v(SUPERVISOR),
        };
        assert_eq!(heard_by(&outputs, CALLER), caller_hears, "tick {t}");
        match t {
            0..3 => assert_eq!(heard_by(&outputs, AGENT), v(CALLER), "tick {t}"),
            3..6 => assert_eq!(
                heard_by(&outputs, AGENT),
                sum(&[v(CALLER), v(SUPERVISOR)]),
                "tick {t}"
            ),
            _ => assert!(outputs.iter().all(|(party, _)| *party != AGENT)),
        }
        let supervisor_hears = match t {
            0..2 => None,
            2..6 => Some(sum(&[v(CALLER), v(AGENT)])),
            _ => Some(v(CALLER)),
        };
        assert_eq!(
            outputs
                .iter()
                .find(|(party, _)| *party == SUPERVISOR)
                .map(|(_, frame)| *frame),
            supervisor_hears,
            "tick {t}"
        );
        assert_eq!(outputs.len(), mixer.len());
    }
    assert_eq!(mixer.membership(SUPERVISOR), Some(Membership::Full));
    assert_eq!(mixer.membership(AGENT), None);
    mixer.leave(CALLER);
    mixer.leave(SUPERVISOR);
    assert!(mixer.is_empty());
}

#[test]
fn mixing_reuses_the_output_buffer() {
    let mut mixer = Mixer::new();
    for party in 0..8 {
        mixer.join(party, Membership::Full);
    }
    let inputs: Vec<(PartyId, Frame)> = (0..8).map(|party| (party, voice(party, 0))).collect();
    let mut outputs = Vec::new();
    mixer.mix(&inputs, &mut outputs);
    let (pointer, capacity) = (outputs.as_ptr(), outputs.capacity());
    for _ in 0..50 {
        mixer.mix(&inputs, &mut outputs);
        assert_eq!((outputs.as_ptr(), outputs.capacity()), (pointer, capacity));
    }
}
