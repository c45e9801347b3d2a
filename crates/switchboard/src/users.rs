//! `user add`, `user passwd` and `token create`: account work without the console.

use std::io::BufRead;

use anyhow::{Context, bail};
use sb_api::auth::password::hash_password_blocking;
use sb_core::StaffId;
use sb_store::{Actor, StaffInput, Store};

use crate::cli::{TokenCommand, UserCommand};
use crate::config::Config;
use crate::server::open_store;

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if !from_stdin {
        bail!(
            "pass the password on standard input with --password-stdin (it is never taken as an argument)"
        );
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    sb_api::validate::password("password", &password)
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    Ok(password)
}

fn cli_actor() -> Actor {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    Actor::system(&format!("command line ({user})"))
}

async fn hash(password: String) -> anyhow::Result<String> {
    hash_password_blocking(password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

pub async fn run(config: &Config, cmd: UserCommand) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let result = match cmd {
        UserCommand::Add {
            employee_id,
            name,
            roles,
            department,
            extension,
            password_stdin,
        } => {
            add(
                &store,
                employee_id,
                name,
                roles,
                department,
                extension,
                password_stdin,
            )
            .await
        }
        UserCommand::Passwd {
            employee_id,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            let staff = store
                .staff_by_employee_id(&employee_id)
                .await
                .with_context(|| format!("no staff with employee ID {employee_id}"))?;
            store
                .set_password(
                    time::OffsetDateTime::now_utc(),
                    &cli_actor(),
                    StaffId(staff.id),
                    &hash(password).await?,
                    None,
                )
                .await?;
            println!("password of {employee_id} set; their sessions were ended");
            Ok(())
        }
    };
    store.close().await;
    result
}

async fn add(
    store: &Store,
    employee_id: String,
    name: String,
    roles: Vec<String>,
    department: Option<String>,
    extension: Option<String>,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let now = time::OffsetDateTime::now_utc();
    store.ensure_admin_role(now).await?;
    let check =
        |r: Result<String, sb_api::ApiError>| r.map_err(|e| anyhow::anyhow!("{}", e.message));
    let employee_id = check(sb_api::validate::identifier("employee_id", &employee_id))?;
    let name = check(sb_api::validate::text("name", &name, 1, 64))?;
    let extension = sb_api::validate::optional_extension("extension", extension.as_deref())
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let mut role_ids = Vec::new();
    for code in &roles {
        let role = store
            .role_by_code(code)
            .await
            .with_context(|| format!("no role with code {code}"))?;
        role_ids.push(role.id);
    }
    let department_id = match department {
        Some(number) => {
            let all = store.list_departments().await?;
            Some(
                all.iter()
                    .find(|d| d.number == number)
                    .map(|d| d.id)
                    .with_context(|| format!("no department numbered {number}"))?,
            )
        }
        None => None,
    };
    let password_hash = if password_stdin {
        Some(hash(read_password(true)?).await?)
    } else {
        None
    };
    let has_password = password_hash.is_some();
    let input = StaffInput {
        employee_id: employee_id.clone(),
        name,
        department_id,
        work_group: String::new(),
        mobile: String::new(),
        email: String::new(),
        extension,
        enabled: true,
        role_ids,
    };
    let created = store
        .create_staff(now, &cli_actor(), input, password_hash)
        .await?;
    println!(
        "created {} ({}) with roles [{}]",
        created.employee_id,
        created.name,
        roles.join(", ")
    );
    if !has_password {
        println!(
            "no password set: {employee_id} cannot sign in until `switchboard user passwd` sets one"
        );
    }
    Ok(())
}

pub async fn token(config: &Config, cmd: TokenCommand) -> anyhow::Result<()> {
    let TokenCommand::Create {
        employee_id,
        name,
        expires_days,
    } = cmd;
    let store = open_store(config).await?;
    let result = async {
        let staff = store
            .staff_by_employee_id(&employee_id)
            .await
            .with_context(|| format!("no staff with employee ID {employee_id}"))?;
        let now = time::OffsetDateTime::now_utc();
        let expires = match expires_days {
            Some(d) if d <= 0 => bail!("--expires-days must be positive"),
            Some(d) => Some(now + time::Duration::days(d)),
            None => None,
        };
        let created = sb_api::routes::api_tokens::issue(
            &store,
            now,
            &cli_actor(),
            StaffId(staff.id),
            &name,
            expires,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
        println!("{}", created.secret());
        Ok(())
    }
    .await;
    store.close().await;
    result
}
