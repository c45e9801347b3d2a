//! The music-on-hold classes by name, with "default" always present so that
//! a queue naming a class that does not exist still plays something.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::MusicClass;

/// The class every unknown name falls back to.
pub(super) const DEFAULT_CLASS: &str = "default";

/// The classes by name, with "default" (the builtin unless a folder named
/// default exists) as the fallback. Cloning shares the decoded audio.
#[derive(Debug, Clone)]
pub struct MusicLibrary {
    default: Arc<MusicClass>,
    /// Every class but the default, by name.
    others: BTreeMap<String, Arc<MusicClass>>,
}

impl MusicLibrary {
    /// Holds only the builtin as "default".
    pub fn new() -> Self {
        MusicLibrary {
            default: Arc::new(MusicClass::builtin()),
            others: BTreeMap::new(),
        }
    }

    /// One sub-folder per class under `root` (root/default, root/sales...).
    /// Returns the load problems to log: files skipped, folders with nothing
    /// playable. A missing `root` is not a problem (no custom music yet);
    /// hidden folders (".git") are ignored.
    pub fn load(root: &Path) -> (MusicLibrary, Vec<String>) {
        let mut library = MusicLibrary::new();
        let mut problems = Vec::new();
        let entries = match std::fs::read_dir(root) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return (library, problems);
            }
            Err(error) => {
                problems.push(format!("{}: {error}", root.display()));
                return (library, problems);
            }
        };

        let mut folders = Vec::new();
        for entry in entries {
            let path = match entry {
                Ok(entry) => entry.path(),
                Err(error) => {
                    problems.push(format!("{}: {error}", root.display()));
                    continue;
                }
            };
            if !path.is_dir() {
                continue;
            }
            match path.file_name().and_then(|name| name.to_str()) {
                Some(name) if name.starts_with('.') => {}
                Some(name) => folders.push((name.to_owned(), path.clone())),
                None => problems.push(format!(
                    "{}: skipped, the folder name is not UTF-8",
                    path.display()
                )),
            }
        }
        folders.sort();

        for (name, path) in folders {
            match MusicClass::load_dir(&name, &path) {
                Ok((class, skipped)) => {
                    for (file, error) in skipped {
                        problems.push(format!("{name}/{file}: skipped: {error}"));
                    }
                    library.insert(class);
                }
                Err(error) => problems.push(format!("{name}: {error}")),
            }
        }
        (library, problems)
    }

    /// Adds or replaces the class of that name ("default" replaces the
    /// fallback).
    pub fn insert(&mut self, class: MusicClass) {
        let class = Arc::new(class);
        if class.name() == DEFAULT_CLASS {
            self.default = class;
        } else {
            self.others.insert(class.name().to_owned(), class);
        }
    }

    /// The class of that name; an unknown name gets the default.
    pub fn get(&self, name: &str) -> Arc<MusicClass> {
        Arc::clone(self.others.get(name).unwrap_or(&self.default))
    }

    /// Every class name, "default" first, then the others sorted.
    pub fn names(&self) -> Vec<String> {
        std::iter::once(DEFAULT_CLASS.to_owned())
            .chain(self.others.keys().cloned())
            .collect()
    }
}

impl Default for MusicLibrary {
    fn default() -> Self {
        MusicLibrary::new()
    }
}
