//! Data scope (MISSION M2, C7): which records a permission reaches for the
//! caller, and the rule that nobody can hand out or act on more power than
//! they hold.

use sb_core::{DataScope, Permission, StaffId};
use sb_store::{Grants, Role, Staff};

use crate::auth::Principal;
use crate::auth::principal::refuse_actor;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The records a caller may reach with one permission.
/// `department_ids: None` with `only_id: None` is everything.
#[derive(Debug, Clone)]
pub struct Scope {
    pub department_ids: Option<Vec<i64>>,
    pub only_id: Option<i64>,
}

impl Scope {
    /// The reach of `permission` for `who`: the data scope of the widest role
    /// that grants it, anchored at the caller's department.
    pub async fn of(state: &AppState, who: &Principal, permission: Permission) -> ApiResult<Scope> {
        let own = Scope {
            department_ids: None,
            only_id: Some(who.staff_id.0),
        };
        let scope = who.grants.scope_of(permission).unwrap_or(DataScope::Own);
        Ok(match (scope, who.department_id) {
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

    pub fn is_everything(&self) -> bool {
        self.department_ids.is_none() && self.only_id.is_none()
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

    /// Whether a department itself (not a person in it) is in scope; `None`
    /// stands for the top of the tree, which only an unlimited scope reaches.
    pub fn covers_department(&self, department: Option<i64>) -> bool {
        match (&self.department_ids, self.only_id, department) {
            (None, None, _) => true,
            (Some(ids), None, Some(d)) => ids.contains(&d),
            _ => false,
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

/// 403 (audited) unless the department is within the caller's scope.
pub async fn ensure_department_in_scope(
    state: &AppState,
    who: &Principal,
    scope: &Scope,
    department: Option<i64>,
    field: &str,
    action: &str,
) -> ApiResult<()> {
    if scope.covers_department(department) {
        return Ok(());
    }
    let e = ApiError::forbidden("that department is outside your data scope").with_field(field);
    Err(refuse_actor(state, who.actor(), action, e).await)
}

/// Whether `held` covers every (permission, scope) in `wanted`.
fn covers_all(held: &Grants, mut wanted: impl Iterator<Item = (Permission, DataScope)>) -> bool {
    wanted.all(|(p, s)| held.covers(p, s))
}

/// Granting or shaping a role needs every permission it carries, each with at
/// least the role's scope: otherwise anyone with `staff.update` could make
/// themselves administrator.
pub async fn ensure_may_carry(
    state: &AppState,
    who: &Principal,
    code: &str,
    permissions: impl IntoIterator<Item = Permission>,
    scope: DataScope,
    action: &str,
) -> ApiResult<()> {
    if covers_all(&who.grants, permissions.into_iter().map(|p| (p, scope))) {
        return Ok(());
    }
    let e = ApiError::forbidden(format!(
        "you cannot grant or change role {code}: it carries more than you hold"
    ))
    .with_field("role_ids");
    Err(refuse_actor(state, who.actor(), action, e).await)
}

/// `ensure_may_carry` for each of `roles`.
pub async fn ensure_may_grant(
    state: &AppState,
    who: &Principal,
    roles: &[Role],
    action: &str,
) -> ApiResult<()> {
    for role in roles {
        ensure_may_carry(
            state,
            who,
            &role.code,
            role.permissions.iter().copied(),
            role.data_scope,
            action,
        )
        .await?;
    }
    Ok(())
}

/// Acting on someone (edit, unlock, reset password, delete, mint or revoke
/// their token) needs at least their power.
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
    if !covers_all(&who.grants, theirs.iter()) {
        let e = ApiError::forbidden("that account holds permissions you do not have");
        return Err(refuse_actor(state, who.actor(), action, e).await);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn department_coverage() {
        let all = Scope {
            department_ids: None,
            only_id: None,
        };
        let dept = Scope {
            department_ids: Some(vec![3, 4]),
            only_id: None,
        };
        let own = Scope {
            department_ids: None,
            only_id: Some(9),
        };
        assert!(all.covers_department(None) && all.covers(1, None));
        assert!(
            dept.covers_department(Some(4))
                && !dept.covers_department(Some(5))
                && !dept.covers_department(None)
        );
        assert!(dept.covers(1, Some(3)) && !dept.covers(1, None));
        assert!(!own.covers_department(Some(3)));
        assert!(own.covers(9, Some(3)) && !own.covers(8, Some(3)));
        assert_eq!(dept.restrict(Some(vec![4, 5])), Some(vec![4]));
        assert_eq!(all.restrict(None), None);
    }
}
