//! Demo customers for a first start with demo data: a few profiles in the
//! inbound team's care (so the demo agents see them), with numbers written
//! the ways people write them, a VIP with a car, and a shared family line
//! that screen pop answers with "several".

use sqlx::AnyConnection;
use time::OffsetDateTime;

use crate::audit::Actor;
use crate::codes::{AddressLabel, CustomerLifecycle, Gender, PhoneLabel};
use crate::customers::{CustomerAddress, CustomerInput, CustomerPhone, insert};
use crate::error::Result;

struct DemoCustomer {
    name: &'static str,
    gender: Gender,
    level: &'static str,
    lifecycle: CustomerLifecycle,
    province: &'static str,
    city: &'static str,
    /// (as written, E.164, label)
    phones: &'static [(&'static str, &'static str, PhoneLabel)],
    address: &'static str,
}

const CUSTOMERS: &[DemoCustomer] = &[
    DemoCustomer {
        name: "张伟",
        gender: Gender::Male,
        level: "vip",
        lifecycle: CustomerLifecycle::Normal,
        province: "北京市",
        city: "北京市",
        phones: &[("138 0013 8000", "+8613800138000", PhoneLabel::Mobile)],
        address: "朝阳区建国路 88 号",
    },
    DemoCustomer {
        name: "李娜",
        gender: Gender::Female,
        level: "normal",
        lifecycle: CustomerLifecycle::Normal,
        province: "浙江省",
        city: "杭州市",
        phones: &[
            ("139-0013-9000", "+8613900139000", PhoneLabel::Mobile),
            ("(0571) 8765-4321", "+8657187654321", PhoneLabel::Home),
        ],
        address: "西湖区文三路 100 号",
    },
    DemoCustomer {
        name: "李建国",
        gender: Gender::Male,
        level: "normal",
        lifecycle: CustomerLifecycle::Declining,
        province: "浙江省",
        city: "杭州市",
        phones: &[("0571-87654321", "+8657187654321", PhoneLabel::Home)],
        address: "西湖区文三路 100 号",
    },
    DemoCustomer {
        name: "王芳",
        gender: Gender::Female,
        level: "normal",
        lifecycle: CustomerLifecycle::Potential,
        province: "广东省",
        city: "深圳市",
        phones: &[("+86 137 0013 7000", "+8613700137000", PhoneLabel::Mobile)],
        address: "南山区科技园",
    },
];

pub(crate) async fn seed_customers(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    department_id: i64,
) -> Result<()> {
    let seeder = Actor::system("first start");
    for demo in CUSTOMERS {
        let input = CustomerInput {
            name: demo.name.into(),
            gender: demo.gender,
            birth_date: None,
            occupation: String::new(),
            education: String::new(),
            marital_status: String::new(),
            id_card: None,
            province: demo.province.into(),
            city: demo.city.into(),
            lifecycle: demo.lifecycle,
            level: demo.level.into(),
            source: "演示 Demo".into(),
            notes: String::new(),
            custom_fields: serde_json::Map::new(),
            owner_id: None,
            department_id: Some(department_id),
            phones: demo
                .phones
                .iter()
                .map(|(number, e164, label)| CustomerPhone {
                    number: (*number).into(),
                    e164: (*e164).into(),
                    label: *label,
                })
                .collect(),
            emails: Vec::new(),
            addresses: vec![CustomerAddress {
                label: AddressLabel::Home,
                province: demo.province.into(),
                city: demo.city.into(),
                detail: demo.address.into(),
                postcode: String::new(),
            }],
        };
        let id = insert(conn, now, &seeder, &input).await?;
        if demo.level == "vip" {
            sqlx::query(
                "INSERT INTO customer_assets (customer_id, kind, model, serial, plate, bought_on, \
                 notes, created_at, updated_at) \
                 VALUES ($1, 'vehicle', '大众 帕萨特', 'LSVAU2180N2000001', '京A88888', '2022-03-18', \
                 '', $2, $2)",
            )
            .bind(id)
            .bind(crate::millis::to_millis(now))
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}
