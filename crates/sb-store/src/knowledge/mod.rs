//! The knowledge base (MISSION K1-K5): the category tree (`categories`),
//! articles and FAQ entries with their versions and review steps
//! (`articles`), images (`images`), the search log (`searches`), study
//! progress (`study`) and the statistics (`stats`).
//!
//! This layer stores what the desk decided: the write -> review -> publish
//! workflow is sb-desk's pure function. A step is written only onto the state
//! and version it was decided on (`apply_kb_step`), so two reviewers acting
//! at once end with one winner and the other told what happened.

mod articles;
mod categories;
mod demo;
mod images;
mod searches;
mod stats;
mod study;

pub(crate) use demo::seed_knowledge;

pub use articles::{
    KbArticle, KbArticleFilter, KbArticleSummary, KbContent, KbPublished, KbPublishing, KbStep,
    KbStepEntry,
};
pub use categories::{KbCategory, KbCategoryInput};
pub use images::{KbImage, NewKbImage};
pub use searches::KbMissedSearch;
pub use stats::{KbAuthorFigures, KbStateCount, KbStats, KbViewedArticle};
pub use study::KbStudyItem;
