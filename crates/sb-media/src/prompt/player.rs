//! Plays a list of prompts back to back as 20 ms frames, the way an IVR
//! says "you are number" + "3" + "in line": the prompts follow each other
//! sample for sample, and only the end of the list is padded with silence.

use super::Prompt;
use crate::frame::{FRAME_SAMPLES, Frame, SILENCE};

/// Plays a list of prompts as 20 ms frames.
#[derive(Debug)]
pub struct Player {
    list: Vec<Prompt>,
    /// The prompt being played; `list.len()` once everything has been.
    current: usize,
    /// Samples of the current prompt already played.
    offset: usize,
    barge_in: bool,
    stopped: bool,
}

impl Player {
    /// `barge_in`: a DTMF digit stops the playback (the caller knows the
    /// menu and answers before it ends).
    pub fn new(list: Vec<Prompt>, barge_in: bool) -> Player {
        // An empty prompt has no frame to give; dropping it here keeps
        // `is_done` exact (never "not done" with nothing left to play).
        let list = list
            .into_iter()
            .filter(|prompt| !prompt.samples().is_empty())
            .collect();
        Player {
            list,
            current: 0,
            offset: 0,
            barge_in,
            stopped: false,
        }
    }

    /// Fills `out` with the next frame (the tail of the last prompt padded
    /// with silence); false once everything has been played (out is then
    /// silence).
    pub fn next_frame(&mut self, out: &mut Frame) -> bool {
        if self.is_done() {
            *out = SILENCE;
            return false;
        }
        let mut filled = 0;
        while filled < FRAME_SAMPLES
            && let Some(prompt) = self.list.get(self.current)
        {
            let rest = &prompt.samples()[self.offset..];
            let taken = rest.len().min(FRAME_SAMPLES - filled);
            out[filled..filled + taken].copy_from_slice(&rest[..taken]);
            filled += taken;
            self.offset += taken;
            if self.offset == prompt.samples().len() {
                self.current += 1;
                self.offset = 0;
            }
        }
        out[filled..].fill(0);
        true
    }

    /// A DTMF digit arrived: stops the player if barge-in was asked;
    /// returns whether it stopped (false when it was already done).
    pub fn on_dtmf(&mut self) -> bool {
        if !self.barge_in || self.is_done() {
            return false;
        }
        self.stopped = true;
        true
    }

    /// Nothing is left to play: the list ended or a digit barged in.
    pub fn is_done(&self) -> bool {
        self.stopped || self.current >= self.list.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_prompts_are_skipped() {
        let mut player = Player::new(
            vec![Prompt::from_samples(vec![]), Prompt::from_samples(vec![7])],
            false,
        );
        let mut frame = SILENCE;
        assert!(player.next_frame(&mut frame));
        assert_eq!(frame[..2], [7, 0]);
        assert!(player.is_done());
        assert!(!player.next_frame(&mut frame));

        let mut nothing = Player::new(vec![Prompt::from_samples(vec![])], true);
        assert!(nothing.is_done());
        assert!(!nothing.on_dtmf());
    }
}
