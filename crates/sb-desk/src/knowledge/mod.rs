//! The knowledge base (MISSION K1-K5): the write -> review -> publish
//! workflow as a pure function (`workflow::decide`), article HTML cleaned
//! with an allow-list and turned into searchable text (`html`), the
//! full-text index over published articles with Chinese word segmentation
//! (`index`, tantivy + jieba), and `service`, which writes a decided step
//! to the store and keeps the index in step with what agents may read.

pub mod html;
pub mod index;
pub mod service;
pub mod workflow;

pub use index::{IndexedArticle, KnowledgeIndex, SearchHit, SearchRequest, SearchResults};
pub use service::{KbStepRequest, KnowledgeDesk, SearchOutcome};
pub use workflow::{ArticleFacts, KbActor, KbCommand, KbState, KbTransition, decide};
