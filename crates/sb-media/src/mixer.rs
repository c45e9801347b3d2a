//! Conference and call monitoring as mixing rules (MISSION G6, S2-S4).
//!
//! One [`Mixer`] per conference or monitored call. Each tick it takes one
//! frame from every party and gives every member the sum of exactly what
//! that member hears. The rules are the membership:
//!
//! | membership           | hears                          | heard by       |
//! |----------------------|--------------------------------|----------------|
//! | `Full` (member, S4)  | every Full party but itself    | everyone       |
//! | `Listen` (S2)        | every Full party               | nobody         |
//! | `Whisper { to }` (S3)| every Full party               | only `to`      |
//!
//! The common case costs O(parties): the Full parties are summed once and
//! each Full member's own frame is taken back out, instead of summing
//! "everyone but me" once per member.

use crate::frame::{FRAME_SAMPLES, Frame};

/// A party of a mix (a call leg), chosen by the caller of the mixer.
pub type PartyId = u32;

/// How a party takes part in a mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    /// A conference member or a barging supervisor (S4): hears every Full
    /// party but itself, heard by everyone.
    Full,
    /// Listen (S2): hears every Full party, heard by nobody.
    Listen,
    /// Whisper (S3): hears every Full party, heard only by `to`.
    Whisper { to: PartyId },
}

/// A 20 ms frame being summed: wide enough that no realistic number of
/// parties overflows (65,536 full-scale frames would).
type Sum = [i32; FRAME_SAMPLES];

#[derive(Debug)]
struct Member {
    party: PartyId,
    membership: Membership,
    /// Where this party's frame is in this tick's inputs, if it sent one.
    input: Option<usize>,
    /// Whispers addressed to this party this tick; meaningful only when
    /// `whispered` (so members nobody whispers to cost nothing to reset).
    whispers: Sum,
    whispered: bool,
}

/// The members of one mix and the scratch space for mixing them, kept
/// between ticks so that a tick allocates nothing.
#[derive(Debug, Default)]
pub struct Mixer {
    /// Sorted by party, for lookup by binary search and a stable output
    /// order.
    members: Vec<Member>,
}

impl Mixer {
    pub fn new() -> Mixer {
        Mixer::default()
    }

    /// Adds a party; a party already in the mix gets the new membership
    /// (a supervisor going from listen to whisper to barge).
    pub fn join(&mut self, party: PartyId, membership: Membership) {
        match self.find(party) {
            Ok(at) => self.members[at].membership = membership,
            Err(at) => self.members.insert(
                at,
                Member {
                    party,
                    membership,
                    input: None,
                    whispers: [0; FRAME_SAMPLES],
                    whispered: false,
                },
            ),
        }
    }

    pub fn leave(&mut self, party: PartyId) {
        if let Ok(at) = self.find(party) {
            self.members.remove(at);
        }
    }

    pub fn membership(&self, party: PartyId) -> Option<Membership> {
        self.find(party).ok().map(|at| self.members[at].membership)
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// One tick: `inputs` holds this tick's frame from each party (a member
    /// with no input this tick is silent; inputs from non-members are
    /// ignored; a party listed twice counts once, with its last frame).
    /// Writes into `outputs` (cleared first) one frame per member, in party
    /// order: the sum, in i32 then clamped to i16, of exactly the inputs
    /// that member hears, never its own.
    pub fn mix(&mut self, inputs: &[(PartyId, Frame)], outputs: &mut Vec<(PartyId, Frame)>) {
        outputs.clear();
        for member in &mut self.members {
            member.input = None;
            member.whispered = false;
        }
        for (index, (party, _)) in inputs.iter().enumerate() {
            if let Ok(at) = self.find(*party) {
                self.members[at].input = Some(index);
            }
        }

        let mut full = [0i32; FRAME_SAMPLES];
        for member in &self.members {
            if let (Membership::Full, Some(index)) = (member.membership, member.input) {
                add(&mut full, &inputs[index].1);
            }
        }
        self.route_whispers(inputs);

        for member in &self.members {
            let mut heard = full;
            if let (Membership::Full, Some(index)) = (member.membership, member.input) {
                subtract(&mut heard, &inputs[index].1);
            }
            if member.whispered {
                for (sum, whisper) in heard.iter_mut().zip(&member.whispers) {
                    *sum += whisper;
                }
            }
            outputs.push((member.party, clamp(&heard)));
        }
    }

    /// Adds each whisperer's frame to the whispers of the party it
    /// whispers to (a party not in the mix, or itself, hears nothing).
    fn route_whispers(&mut self, inputs: &[(PartyId, Frame)]) {
        for whisperer in 0..self.members.len() {
            let Member {
                membership: Membership::Whisper { to },
                input: Some(index),
                ..
            } = self.members[whisperer]
            else {
                continue;
            };
            let Ok(target) = self.find(to) else {
                continue;
            };
            if target == whisperer {
                continue;
            }
            let target = &mut self.members[target];
            if !target.whispered {
                target.whispers = [0; FRAME_SAMPLES];
                target.whispered = true;
            }
            add(&mut target.whispers, &inputs[index].1);
        }
    }

    fn find(&self, party: PartyId) -> Result<usize, usize> {
        self.members
            .binary_search_by_key(&party, |member| member.party)
    }
}

fn add(sum: &mut Sum, frame: &Frame) {
    for (sum, &sample) in sum.iter_mut().zip(frame) {
        *sum += i32::from(sample);
    }
}

fn subtract(sum: &mut Sum, frame: &Frame) {
    for (sum, &sample) in sum.iter_mut().zip(frame) {
        *sum -= i32::from(sample);
    }
}

fn clamp(sum: &Sum) -> Frame {
    std::array::from_fn(|n| sum[n].clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16)
}
