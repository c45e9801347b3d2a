//! What knowledge search costs at 100,000 published articles of mixed
//! Chinese and English text (MISSION K: p99 under 30 ms per query), and how
//! long a full index build from those articles takes (the rebuild the server
//! runs at start when the index is missing or of an older schema).
//!
//! Articles are generated from a vocabulary of service-desk words (Chinese
//! words written together as Chinese text is, English words with spaces),
//! about 300 characters each, spread over 50 categories. Each query kind is
//! timed `SAMPLES` times one by one with `Instant`, through
//! `KnowledgeIndex::search` as the API calls it: top 20 by BM25 with the
//! total count, titles and snippets highlighted.
//!
//! - `zh_word`: one Chinese word (保养);
//! - `zh_phrase`: a Chinese phrase segmented into several words, all required;
//! - `en_words`: two English words;
//! - `mixed`: a Chinese and an English word;
//! - `category`: one Chinese word within one category;
//! - `no_hit`: a word no article has.
//!
//! `cargo bench -p sb-desk --bench knowledge_search` (`KB_BENCH_ARTICLES` to
//! change the count).

mod support;

use std::time::{Duration, Instant};

use sb_desk::knowledge::{IndexedArticle, KnowledgeIndex, SearchRequest};

use support::{Rng, latency};

const SAMPLES: usize = 500;
const CATEGORIES: i64 = 50;
const ZH_WORDS: &[&str] = &[
    "发动机",
    "保养",
    "机油",
    "更换",
    "轮胎",
    "刹车",
    "变速箱",
    "空调",
    "电池",
    "维修",
    "客户",
    "投诉",
    "退款",
    "发票",
    "会员",
    "积分",
    "密码",
    "账户",
    "物流",
    "配送",
    "安装",
    "预约",
    "保修",
    "故障",
    "检测",
    "滤清器",
    "冷却液",
    "火花塞",
    "雨刮",
    "灯光",
    "导航",
    "蓝牙",
    "充电",
    "续航",
    "车窗",
    "座椅",
    "门店",
    "服务",
    "流程",
    "规范",
    "话术",
    "回访",
    "满意度",
    "升级",
    "处理",
    "时限",
    "工单",
    "记录",
    "查询",
    "营业",
    "时间",
    "地址",
    "价格",
    "优惠",
    "活动",
    "政策",
    "说明",
    "步骤",
    "注意",
    "事项",
];
const EN_WORDS: &[&str] = &[
    "engine",
    "oil",
    "filter",
    "replace",
    "tyre",
    "brake",
    "battery",
    "warranty",
    "refund",
    "invoice",
    "member",
    "points",
    "password",
    "account",
    "delivery",
    "install",
    "appointment",
    "repair",
    "fault",
    "customer",
    "complaint",
    "service",
    "policy",
    "price",
    "store",
    "hours",
    "address",
    "charging",
    "navigation",
    "bluetooth",
    "window",
    "seat",
    "coolant",
    "wiper",
    "reset",
    "verify",
    "identity",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut text = String::new();
    for _ in 0..words {
        // One word in four is English, as mixed-language manuals are.
        if rng.next().is_multiple_of(4) {
            text.push(' ');
            text.push_str(rng.pick(EN_WORDS));
            text.push(' ');
        } else {
            text.push_str(rng.pick(ZH_WORDS));
        }
    }
    text.push('。');
    text
}

fn article(rng: &mut Rng, id: i64) -> IndexedArticle {
    let title = sentence(rng, 4);
    let body: String = (0..8).map(|_| sentence(rng, 12)).collect();
    IndexedArticle {
        article_id: id,
        category_id: id % CATEGORIES + 1,
        kind: if id % 5 == 0 { "faq" } else { "article" }.into(),
        title,
        text: body,
    }
}

/// Makes one query of a kind: its words and its category filter.
type QueryMaker = dyn Fn(&mut Rng) -> (String, Option<Vec<i64>>);

fn report(what: &str, times: Vec<Duration>, hits: usize) {
    println!("  {what:<10} {}   (last total {hits})", latency(times));
}

fn main() {
    let count: i64 = std::env::var("KB_BENCH_ARTICLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let (index, fresh) = KnowledgeIndex::open(&dir.path().join("index")).expect("open");
    assert!(fresh);
    let mut rng = Rng(20261124);
    let articles: Vec<IndexedArticle> = (1..=count).map(|id| article(&mut rng, id)).collect();
    let chars: usize = articles
        .iter()
        .map(|a| a.title.chars().count() + a.text.chars().count())
        .sum();
    println!(
        "{count} articles, {:.1} million characters",
        chars as f64 / 1e6
    );
    let started = Instant::now();
    index.rebuild(articles).expect("build");
    println!(
        "  index build {:.1} s ({} documents)",
        started.elapsed().as_secs_f64(),
        index.len()
    );

    let kinds: [(&str, &QueryMaker); 6] = [
        ("zh_word", &|r| (r.pick(ZH_WORDS).to_owned(), None)),
        ("zh_phrase", &|r| {
            (format!("{}{}", r.pick(ZH_WORDS), r.pick(ZH_WORDS)), None)
        }),
        ("en_words", &|r| {
            (format!("{} {}", r.pick(EN_WORDS), r.pick(EN_WORDS)), None)
        }),
        ("mixed", &|r| {
            (format!("{} {}", r.pick(ZH_WORDS), r.pick(EN_WORDS)), None)
        }),
        ("category", &|r| {
            let category = (r.next() % CATEGORIES as u64) as i64 + 1;
            (r.pick(ZH_WORDS).to_owned(), Some(vec![category]))
        }),
        ("no_hit", &|_| ("蓄电池亏电".to_owned(), None)),
    ];
    let mut rng = Rng(7);
    for (what, make) in kinds {
        let mut times = Vec::with_capacity(SAMPLES);
        let mut hits = 0;
        for _ in 0..SAMPLES {
            let (query, category_ids) = make(&mut rng);
            let request = SearchRequest {
                query,
                category_ids,
                offset: 0,
                limit: 20,
            };
            let started = Instant::now();
            let found = index.search(&request).expect("search");
            times.push(started.elapsed());
            hits = found.total;
        }
        report(what, times, hits);
    }
}
