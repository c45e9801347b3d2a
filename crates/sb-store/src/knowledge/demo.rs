//! Demo knowledge for a first start with demo data: a small category tree
//! and published articles in Chinese and English (one about engine care,
//! 发动机保养), plus a FAQ entry, so search and study work out of the box.

use sqlx::AnyConnection;
use time::OffsetDateTime;

use crate::audit::Actor;
use crate::error::Result;
use crate::knowledge::articles::{KbContent, insert_article};
use crate::knowledge::categories::{KbCategoryInput, insert_category};

struct DemoArticle {
    kind: &'static str,
    title: &'static str,
    body: &'static str,
}

const CAR_CARE: &[DemoArticle] = &[
    DemoArticle {
        kind: "article",
        title: "发动机保养指南",
        body: "<p>发动机保养是车辆维护的核心。建议每 5000 公里或六个月更换一次机油和机油滤清器，\
               每 20000 公里更换空气滤清器。</p><p>客户来电询问保养周期时，请先确认车辆行驶里程和上次保养时间。</p>",
    },
    DemoArticle {
        kind: "article",
        title: "轮胎检查与更换",
        body: "<p>每月检查一次胎压，标准胎压见驾驶座门框标签。胎纹深度低于 1.6 毫米必须更换轮胎。</p>",
    },
    DemoArticle {
        kind: "faq",
        title: "整车保修期多长？",
        body: "<p>整车保修三年或十万公里，以先到者为准；动力总成保修五年或十五万公里。</p>",
    },
];

const SERVICE: &[DemoArticle] = &[
    DemoArticle {
        kind: "article",
        title: "Resetting a customer's account password",
        body: "<p>Verify the caller's identity with the registered mobile number and ID card \
               digits, then send a reset link by SMS. Never read a password aloud.</p>",
    },
    DemoArticle {
        kind: "article",
        title: "投诉处理流程 Complaint handling",
        body: "<p>先倾听并记录客户诉求，创建投诉工单，24 小时内回访。</p>\
               <p>Listen first, open a complaint ticket, and call back within 24 hours.</p>",
    },
];

pub(crate) async fn seed_knowledge(conn: &mut AnyConnection, now: OffsetDateTime) -> Result<()> {
    let seeder = Actor::system("first start");
    let products = insert_category(
        conn,
        now,
        &KbCategoryInput {
            parent_id: None,
            name: "产品知识 Products".into(),
            position: 1,
        },
    )
    .await?;
    let car_care = insert_category(
        conn,
        now,
        &KbCategoryInput {
            parent_id: Some(products),
            name: "汽车保养 Car care".into(),
            position: 1,
        },
    )
    .await?;
    let service = insert_category(
        conn,
        now,
        &KbCategoryInput {
            parent_id: None,
            name: "服务规范 Service rules".into(),
            position: 2,
        },
    )
    .await?;
    for (category, articles) in [(car_care, CAR_CARE), (service, SERVICE)] {
        for (position, demo) in (1_i64..).zip(articles.iter()) {
            let content = KbContent {
                category_id: category,
                kind: demo.kind.into(),
                title: demo.title.into(),
                body: demo.body.into(),
                position,
            };
            insert_article(conn, now, &seeder, &content, true).await?;
        }
    }
    Ok(())
}
