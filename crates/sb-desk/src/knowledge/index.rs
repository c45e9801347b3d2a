//! The full-text index over published articles: tantivy with a tokenizer
//! that segments Chinese with jieba (search mode, so 发动机 also yields 发动
//! and 动机) and keeps English words, lower-cased and stemmed.
//!
//! One index lives in a directory under the data directory. Its schema
//! version is written in a marker file once a full build has finished;
//! opening a directory without the marker (new, or a build that died
//! halfway) or with another version starts it over empty and says it needs
//! a rebuild from the store. Writes go through one [`IndexWriter`] behind a
//! mutex and are committed at once, then the reader reloads, so a search
//! right after a publish sees it. Every method blocks: async callers run
//! them on `spawn_blocking`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
    Value,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream,
    Tokenizer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, doc};
use tantivy_jieba::JiebaTokenizer;
use utoipa::ToSchema;

use crate::error::{DeskError, Result};

/// Bump when the schema or the tokenizer changes: the index is rebuilt.
pub const SCHEMA_VERSION: &str = "kb-1";
const MARKER: &str = "schema-version";
const TOKENIZER: &str = "kb_mixed";
/// Memory for the writer's buffers before it flushes a segment.
const WRITER_HEAP: usize = 64 * 1024 * 1024;
const SNIPPET_CHARS: usize = 160;

/// A published article as the index holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexedArticle {
    pub article_id: i64,
    pub category_id: i64,
    pub kind: String,
    pub title: String,
    /// Plain text of the body.
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    /// Only these categories (a category and those below it); `None`: all.
    pub category_ids: Option<Vec<i64>>,
    pub offset: usize,
    pub limit: usize,
}

/// One result: the title and a piece of the body with the query's words
/// in `<b>`, everything else HTML-escaped.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SearchHit {
    pub article_id: i64,
    pub category_id: i64,
    pub kind: String,
    pub title: String,
    pub title_html: String,
    pub snippet_html: String,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SearchResults {
    /// How many articles match in all.
    pub total: usize,
    pub hits: Vec<SearchHit>,
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    category: Field,
    kind: Field,
    title: Field,
    body: Field,
}

pub struct KnowledgeIndex {
    dir: Option<PathBuf>,
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

impl std::fmt::Debug for KnowledgeIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnowledgeIndex")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

fn search_error(e: tantivy::TantivyError) -> DeskError {
    DeskError::Search(e.to_string())
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            // Frequencies rank; positions are not needed (no phrase search)
            // and jieba's overlapping search-mode tokens would confuse them.
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        id: builder.add_i64_field("id", INDEXED | STORED),
        category: builder.add_i64_field("category_id", INDEXED | STORED),
        kind: builder.add_text_field("kind", STRING | STORED),
        title: builder.add_text_field("title", text.clone()),
        body: builder.add_text_field("body", text),
    };
    (builder.build(), fields)
}

/// Jieba's words, without the spaces and punctuation it also returns,
/// lower-cased and with English words stemmed.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(JiebaTokenizer::new())
        .filter(WordsOnly)
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The distinct terms of a text, as the index sees them.
pub fn terms_of(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut seen = BTreeSet::new();
    let mut terms = Vec::new();
    while stream.advance() {
        let term = stream.token().text.clone();
        if seen.insert(term.clone()) {
            terms.push(term);
        }
    }
    terms
}

impl KnowledgeIndex {
    /// Opens the index in `dir`; the flag is true when it was (re)created
    /// empty and must be filled with [`KnowledgeIndex::rebuild`].
    pub fn open(dir: &Path) -> Result<(KnowledgeIndex, bool)> {
        let marker = std::fs::read_to_string(dir.join(MARKER)).ok();
        let (schema, fields) = schema();
        if marker.as_deref().map(str::trim) == Some(SCHEMA_VERSION)
            && let Ok(index) = Index::open_in_dir(dir)
            && index.schema() == schema
        {
            return Ok((Self::wrap(Some(dir.to_path_buf()), index, fields)?, false));
        }
        if dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
        std::fs::create_dir_all(dir)?;
        let index = Index::create_in_dir(dir, schema).map_err(search_error)?;
        Ok((Self::wrap(Some(dir.to_path_buf()), index, fields)?, true))
    }

    /// An index in memory (tests).
    pub fn in_memory() -> Result<KnowledgeIndex> {
        let (schema, fields) = schema();
        Self::wrap(None, Index::create_in_ram(schema), fields)
    }

    fn wrap(dir: Option<PathBuf>, index: Index, fields: Fields) -> Result<KnowledgeIndex> {
        index.tokenizers().register(TOKENIZER, analyzer());
        let writer = index.writer(WRITER_HEAP).map_err(search_error)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(search_error)?;
        Ok(KnowledgeIndex {
            dir,
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
        })
    }

    fn document(&self, article: &IndexedArticle) -> TantivyDocument {
        let f = self.fields;
        doc!(
            f.id => article.article_id,
            f.category => article.category_id,
            f.kind => article.kind.as_str(),
            f.title => article.title.as_str(),
            f.body => article.text.as_str(),
        )
    }

    fn write(&self, change: impl FnOnce(&mut IndexWriter, Fields) -> Result<()>) -> Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let outcome = change(&mut writer, self.fields)
            .and_then(|()| writer.commit().map(drop).map_err(search_error));
        if let Err(e) = outcome {
            // Drop the half-made change so the next commit does not carry it,
            // and forget the marker: the index no longer matches the store,
            // so the next start rebuilds it.
            let _ = writer.rollback();
            if let Some(dir) = &self.dir {
                let _ = std::fs::remove_file(dir.join(MARKER));
            }
            tracing::error!(error = %e, "knowledge index write failed; it will be rebuilt at the next start");
            return Err(e);
        }
        drop(writer);
        self.reader.reload().map_err(search_error)
    }

    /// Replaces everything with `articles` and marks the index complete.
    pub fn rebuild(&self, articles: impl IntoIterator<Item = IndexedArticle>) -> Result<usize> {
        let mut count = 0;
        self.write(|writer, _| {
            writer.delete_all_documents().map_err(search_error)?;
            for article in articles {
                writer
                    .add_document(self.document(&article))
                    .map_err(search_error)?;
                count += 1;
            }
            Ok(())
        })?;
        if let Some(dir) = &self.dir {
            std::fs::write(dir.join(MARKER), SCHEMA_VERSION)?;
        }
        Ok(count)
    }

    /// Adds the article, replacing what the index had of it.
    pub fn upsert(&self, article: &IndexedArticle) -> Result<()> {
        self.write(|writer, f| {
            writer.delete_term(Term::from_field_i64(f.id, article.article_id));
            writer
                .add_document(self.document(article))
                .map_err(search_error)?;
            Ok(())
        })
    }

    pub fn remove(&self, article_id: i64) -> Result<()> {
        self.write(|writer, f| {
            writer.delete_term(Term::from_field_i64(f.id, article_id));
            Ok(())
        })
    }

    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Articles holding every word of the query (in the title or the body;
    /// the title counts double), best first.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        let f = self.fields;
        let terms = terms_of(&request.query);
        if terms.is_empty() || request.limit == 0 {
            return Ok(SearchResults {
                total: 0,
                hits: Vec::new(),
            });
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .map(|word| {
                let in_title: Box<dyn Query> = Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.title, word),
                        IndexRecordOption::WithFreqs,
                    )),
                    2.0,
                ));
                let in_body: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(f.body, word),
                    IndexRecordOption::WithFreqs,
                ));
                let either: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
                    (Occur::Should, in_title),
                    (Occur::Should, in_body),
                ]));
                (Occur::Must, either)
            })
            .collect();
        if let Some(categories) = &request.category_ids {
            let any_of: Vec<(Occur, Box<dyn Query>)> = categories
                .iter()
                .map(|id| {
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_i64(f.category, *id),
                        IndexRecordOption::Basic,
                    ));
                    (Occur::Should, q)
                })
                .collect();
            if any_of.is_empty() {
                return Ok(SearchResults {
                    total: 0,
                    hits: Vec::new(),
                });
            }
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any_of))));
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let (top, total) = searcher
            .search(
                &query,
                &(
                    TopDocs::with_limit(request.limit)
                        .and_offset(request.offset)
                        .order_by_score(),
                    Count,
                ),
            )
            .map_err(search_error)?;
        let wanted: BTreeSet<String> = terms.iter().cloned().collect();
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address).map_err(search_error)?;
            let title = doc
                .get_first(f.title)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned();
            let title_html = highlight(&title, &wanted, usize::MAX);
            let body = doc
                .get_first(f.body)
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            let snippet_html = highlight(body, &wanted, SNIPPET_CHARS);
            hits.push(SearchHit {
                article_id: doc.get_first(f.id).and_then(|v| v.as_i64()).unwrap_or(0),
                category_id: doc
                    .get_first(f.category)
                    .and_then(|v| v.as_i64())
                    .unwrap_or(0),
                kind: doc
                    .get_first(f.kind)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned(),
                title,
                title_html,
                snippet_html,
                score,
            });
        }
        Ok(SearchResults { total, hits })
    }

    /// The tantivy index itself (benchmarks, diagnostics).
    pub fn tantivy(&self) -> &Index {
        &self.index
    }
}

/// The words jieba finds in a text in its default mode: no overlapping
/// tokens, so highlights never cross (tantivy's snippet generator does not
/// cope with search mode's overlapping offsets), with the index's filters so
/// they compare with the query's terms.
fn highlight_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(JiebaTokenizer::with_search_mode(false))
        .filter(WordsOnly)
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Up to `max_chars` characters of `text` from a little before the first
/// query word, HTML-escaped, with the query's words in `<b>`.
pub fn highlight(text: &str, terms: &BTreeSet<String>, max_chars: usize) -> String {
    let mut analyzer = highlight_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    while stream.advance() {
        let token = stream.token();
        let fits = token.offset_from < token.offset_to
            && token.offset_to <= text.len()
            && text.is_char_boundary(token.offset_from)
            && text.is_char_boundary(token.offset_to);
        if !fits || !terms.contains(&token.text) {
            continue;
        }
        match ranges.last_mut() {
            // Words next to each other are one mark: 冷却 + 液 reads 冷却液.
            Some((_, end)) if *end == token.offset_from => *end = token.offset_to,
            Some((_, end)) if *end > token.offset_from => {}
            _ => ranges.push((token.offset_from, token.offset_to)),
        }
    }
    // Start a few characters before the first match so it reads in context.
    let first = ranges.first().map_or(0, |(start, _)| *start);
    let lead = text[..first]
        .char_indices()
        .rev()
        .nth(19)
        .map_or(0, |(at, _)| at);
    let window_end = text[lead..]
        .char_indices()
        .nth(max_chars)
        .map_or(text.len(), |(at, _)| lead + at);
    let mut html = String::new();
    let mut at = lead;
    if lead > 0 {
        html.push('…');
    }
    for (start, end) in ranges {
        if start < at || end > window_end {
            continue;
        }
        html.push_str(&escape(&text[at..start]));
        html.push_str("<b>");
        html.push_str(&escape(&text[start..end]));
        html.push_str("</b>");
        at = end;
    }
    html.push_str(&escape(&text[at..window_end]));
    if window_end < text.len() {
        html.push('…');
    }
    html
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Drops the tokens jieba makes of spaces and punctuation: a word has at
/// least one letter or digit (Han characters are letters).
#[derive(Clone, Debug)]
pub struct WordsOnly;

impl TokenFilter for WordsOnly {
    type Tokenizer<T: Tokenizer> = WordsOnlyTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> WordsOnlyTokenizer<T> {
        WordsOnlyTokenizer(tokenizer)
    }
}

#[derive(Clone, Debug)]
pub struct WordsOnlyTokenizer<T>(T);

impl<T: Tokenizer> Tokenizer for WordsOnlyTokenizer<T> {
    type TokenStream<'a> = WordsOnlyStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        WordsOnlyStream(self.0.token_stream(text))
    }
}

#[derive(Debug)]
pub struct WordsOnlyStream<S>(S);

impl<S: TokenStream> TokenStream for WordsOnlyStream<S> {
    fn advance(&mut self) -> bool {
        while self.0.advance() {
            if self.0.token().text.chars().any(char::is_alphanumeric) {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: i64, category: i64, title: &str, text: &str) -> IndexedArticle {
        IndexedArticle {
            article_id: id,
            category_id: category,
            kind: "article".into(),
            title: title.into(),
            text: text.into(),
        }
    }

    fn search(index: &KnowledgeIndex, query: &str) -> SearchResults {
        index
            .search(&SearchRequest {
                query: query.into(),
                category_ids: None,
                offset: 0,
                limit: 10,
            })
            .expect("search")
    }

    #[test]
    fn chinese_words_are_found_inside_compounds() {
        let terms = terms_of("发动机保养, Engines!");
        assert!(terms.contains(&"保养".to_owned()), "{terms:?}");
        assert!(terms.contains(&"发动机".to_owned()), "{terms:?}");
        assert!(terms.contains(&"engin".to_owned()), "{terms:?}");
        assert!(
            !terms.iter().any(|t| t.trim().is_empty() || t == ","),
            "{terms:?}"
        );
    }

    #[test]
    fn search_ranks_highlights_filters_and_forgets() {
        let index = KnowledgeIndex::in_memory().expect("index");
        index
            .rebuild(vec![
                article(
                    1,
                    10,
                    "发动机保养指南",
                    "建议每 5000 公里更换机油，做好保养。",
                ),
                article(
                    2,
                    20,
                    "Resetting a password",
                    "Verify the caller, then send a reset link.",
                ),
                article(3, 20, "轮胎检查", "每月检查胎压。"),
            ])
            .expect("build");
        let found = search(&index, "保养");
        assert_eq!(found.total, 1);
        assert_eq!(found.hits[0].article_id, 1);
        assert!(
            found.hits[0].title_html.contains("<b>保养</b>"),
            "{:?}",
            found.hits[0]
        );
        assert!(
            found.hits[0].snippet_html.contains("<b>保养</b>"),
            "{:?}",
            found.hits[0]
        );
        let found = search(&index, "password resets");
        assert_eq!(found.hits[0].article_id, 2);
        assert!(
            found.hits[0].title_html.contains("<b>"),
            "{:?}",
            found.hits[0]
        );
        let filtered = index
            .search(&SearchRequest {
                query: "保养".into(),
                category_ids: Some(vec![20]),
                offset: 0,
                limit: 10,
            })
            .expect("search");
        assert_eq!(filtered.total, 0);
        index.remove(1).expect("remove");
        assert_eq!(search(&index, "保养").total, 0);
        index
            .upsert(&article(3, 20, "轮胎保养", "每月检查胎压。"))
            .expect("upsert");
        let found = search(&index, "保养");
        assert_eq!((found.total, found.hits[0].article_id), (1, 3));
        assert_eq!(search(&index, "，。").total, 0);
    }

    #[test]
    fn highlights_in_long_text_take_a_window_around_the_first_match() {
        // jieba's search mode makes overlapping tokens (发动机, 发动, 动机); the
        // highlighter must neither panic nor cross its marks.
        let text = format!(
            "{}发动机导航与动机说明，Engines run.{}",
            "配送".repeat(100),
            "保养".repeat(100)
        );
        let terms: BTreeSet<String> = terms_of("发动机 动机 engine").into_iter().collect();
        let html = highlight(&text, &terms, 40);
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert!(html.contains("<b>发动机</b>"), "{html}");
        assert!(html.contains("<b>Engines</b>"), "{html}");
        assert_eq!(highlight("a < b", &BTreeSet::new(), 10), "a &lt; b");
        let terms: BTreeSet<String> = terms_of("冷却液").into_iter().collect();
        let html = highlight("发动机冷却液每两年更换一次", &terms, 100);
        assert!(html.contains("<b>冷却液</b>"), "{html}");
    }

    #[test]
    fn a_directory_without_its_marker_is_rebuilt() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("kb");
        let (index, fresh) = KnowledgeIndex::open(&path).expect("open");
        assert!(fresh);
        index
            .rebuild(vec![article(1, 1, "发动机保养", "")])
            .expect("build");
        drop(index);
        let (index, fresh) = KnowledgeIndex::open(&path).expect("reopen");
        assert!(!fresh);
        assert_eq!(index.len(), 1);
        drop(index);
        std::fs::write(path.join(MARKER), "kb-0").expect("old marker");
        let (index, fresh) = KnowledgeIndex::open(&path).expect("reopen");
        assert!(fresh);
        assert!(index.is_empty());
    }
}
