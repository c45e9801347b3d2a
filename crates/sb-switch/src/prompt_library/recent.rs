//! The spoken texts kept in memory: the most recently used ones, up to a
//! total number of samples, so a queue announcement said to every caller is
//! read from disk once while rare texts do not pile up.

use std::collections::HashMap;

use sb_media::prompt::Prompt;

#[derive(Debug)]
pub(super) struct RecentPrompts {
    entries: HashMap<String, Entry>,
    /// Bumped on every use; an entry's tick says when it was last used.
    clock: u64,
    samples: usize,
    max_samples: usize,
}

#[derive(Debug)]
struct Entry {
    prompt: Prompt,
    last_used: u64,
}

impl RecentPrompts {
    pub(super) fn new(max_samples: usize) -> RecentPrompts {
        RecentPrompts {
            entries: HashMap::new(),
            clock: 0,
            samples: 0,
            max_samples,
        }
    }

    pub(super) fn get(&mut self, key: &str) -> Option<Prompt> {
        self.clock += 1;
        let entry = self.entries.get_mut(key)?;
        entry.last_used = self.clock;
        Some(entry.prompt.clone())
    }

    /// Keeps `prompt`, forgetting the least recently used ones beyond the
    /// limit. A prompt larger than the whole limit is not kept.
    pub(super) fn insert(&mut self, key: String, prompt: Prompt) {
        let size = prompt.samples().len();
        if size > self.max_samples {
            return;
        }
        self.clock += 1;
        let entry = Entry {
            prompt,
            last_used: self.clock,
        };
        if let Some(old) = self.entries.insert(key, entry) {
            self.samples -= old.prompt.samples().len();
        }
        self.samples += size;
        while self.samples > self.max_samples {
            // A linear scan: the cache holds a few hundred texts at most,
            // and an insert follows a synthesis or a file read.
            let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, entry)| entry.last_used)
                .map(|(key, _)| key.clone())
            else {
                break;
            };
            if let Some(evicted) = self.entries.remove(&oldest) {
                self.samples -= evicted.prompt.samples().len();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt(samples: usize) -> Prompt {
        Prompt::from_samples(vec![1; samples])
    }

    #[test]
    fn the_least_recently_used_goes_first() {
        let mut recent = RecentPrompts::new(30);
        recent.insert("a".into(), prompt(10));
        recent.insert("b".into(), prompt(10));
        recent.insert("c".into(), prompt(10));
        assert!(recent.get("a").is_some());
        recent.insert("d".into(), prompt(10));
        assert!(recent.get("b").is_none(), "b was the least recently used");
        assert!(recent.get("a").is_some());
        assert!(recent.get("c").is_some());
        assert!(recent.get("d").is_some());

        recent.insert("a".into(), prompt(20));
        assert_eq!(
            recent.samples, 30,
            "a replaced, then c (older than d) evicted"
        );
        assert!(recent.get("c").is_none());

        recent.insert("huge".into(), prompt(31));
        assert!(recent.get("huge").is_none());
        assert!(recent.get("d").is_some());
    }
}
