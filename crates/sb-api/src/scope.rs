//! Data scope (MISSION M2, C7): which records a caller's roles reach, and the
//! rule that nobody can hand out or act on more power than they hold.

use sb_core::{DataScope, StaffId};
use sb_store::{Grants, Role, Staff};

use crate::auth::Principal;
use crate::auth::principal::refuse_actor;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The records a caller may see. `department_ids: None` is every department.
#[derive(Debug, Clone)]
pub struct Scope {
    pub department_ids: Option<Vec<i64>>,
    pub only_id: Option<i64>,
}

impl Scope {
    pub async fn of(state: &AppState, who: &Principal) -> ApiResult<Scope> {
        let own = Scope {
            department_ids: None,
            only_id: Some(who.staff_id.0),
        };
        Ok(match (who.grants.scope, who.department_id) {
            (DataScope::All, _) => Scope {
                department_ids: None,
                only_id: None,
            },
            (DataScope::Own, _) | (_, None) => own,
            (DataScope::Department, Some(dept)) => Scope {
                department_ids: Some(vec![dept]),
                only_id: None,
            },
            (DataScope::DepartmentAndBelow, Some(dept)) => Scope {
                department_ids: Some(state.store().department_subtree(dept).await?),
                only_id: None,
            },
        })
    }

    /// Whether a record in `department` owned by `owner` is in scope.
    pub fn covers(&self, owner: i64, department: Option<i64>) -> bool {
        if self.only_id.is_some_and(|id| id != owner) {
            return false;
        }
        match (&self.department_ids, department) {
            (None, _) => true,
            (Some(ids), Some(d)) => ids.contains(&d),
            (Some(_), None) => false,
        }
    }

    /// Narrows a requested department filter to the scope.
    pub fn restrict(&self, requested: Option<Vec<i64>>) -> Option<Vec<i64>> {
        match (requested, &self.department_ids) {
            (None, scope) => scope.clone(),
            (Some(req), None) => Some(req),
            (Some(req), Some(scope)) => {
                Some(req.into_iter().filter(|d| scope.contains(d)).collect())
            }
        }
    }
}

/// 403 (audited) unless `staff` is within the caller's scope.
pub async fn ensure_covers(
    state: &AppState,
    who: &Principal,
    scope: &Scope,
    staff: &Staff,
    action: &str,
) -> ApiResult<()> {
    if scope.covers(staff.id, staff.department_id) {
        return Ok(());
    }
    let e = ApiError::forbidden(format!(
        "staff {} is outside your data scope",
        staff.employee_id
    ))
    .with_field("id");
    Err(refuse_actor(state, who.actor(), action, e).await)
}

/// A department the caller may place staff in.
pub async fn ensure_department_in_scope(
    state: &AppState,
    who: &Principal,
    scope: &Scope,
    department: Option<i64>,
    action: &str,
) -> ApiResult<()> {
    let allowed = match (&scope.department_ids, scope.only_id) {
        (None, None) => true,
        (Some(ids), None) => department.is_some_and(|d| ids.contains(&d)),
        (_, Some(_)) => false,
    };
    if allowed {
        return Ok(());
    }
    let e = ApiError::forbidden("that department is outside your data scope")
        .with_field("department_id");
    Err(refuse_actor(state, who.actor(), action, e).await)
}

fn exceeds(held: &Grants, permissions: &[sb_core::Permission], scope: DataScope) -> bool {
    scope > held.scope || permissions.iter().any(|p| !held.allows(*p))
}

/// Granting a role needs every permission it carries and at least its scope:
/// otherwise anyone with `staff.update` could make themselves administrator.
pub async fn ensure_may_grant(
    state: &AppState,
    who: &Principal,
    roles: &[Role],
    action: &str,
) -> ApiResult<()> {
    if let Some(role) = roles
        .iter()
        .find(|r| exceeds(&who.grants, &r.permissions, r.data_scope))
    {
        let e = ApiError::forbidden(format!(
            "you cannot grant role {}: it carries more than you hold",
            role.code
        ))
        .with_field("role_ids");
        return Err(refuse_actor(state, who.actor(), action, e).await);
    }
    Ok(())
}

/// Acting on someone (edit, reset password, delete) needs at least their power.
pub async fn ensure_not_weaker_than(
    state: &AppState,
    who: &Principal,
    target: StaffId,
    action: &str,
) -> ApiResult<()> {
    if target == who.staff_id {
        return Ok(());
    }
    let theirs = state.store().grants(target).await?;
    let permissions: Vec<_> = theirs.permissions.iter().copied().collect();
    if exceeds(&who.grants, &permissions, theirs.scope) {
        let e = ApiError::forbidden("that account holds permissions you do not have");
        return Err(refuse_actor(state, who.actor(), action, e).await);
    }
    Ok(())
}
