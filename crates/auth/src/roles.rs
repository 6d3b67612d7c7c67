//! Roles (least privilege): `user` manages only their own account, `auditor` reads the audit
//! log and settings but changes nothing, `admin` manages domains, accounts and quotas. No role
//! can read mail: mailboxes open only with their owner's key slots.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Auditor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::User, Role::Auditor, Role::Admin];

    /// Parses the stored name; an unknown name is treated as the least privilege.
    pub fn parse(text: &str) -> Role {
        match text {
            "admin" => Role::Admin,
            "auditor" => Role::Auditor,
            _ => Role::User,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    /// May open /admin and read the audit log.
    pub fn may_read_admin(self) -> bool {
        matches!(self, Role::Auditor | Role::Admin)
    }

    /// May change anything under /admin.
    pub fn may_write_admin(self) -> bool {
        self == Role::Admin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_privilege() {
        assert_eq!(Role::parse("root"), Role::User, "unknown names get no privilege");
        assert!(!Role::User.may_read_admin() && !Role::User.may_write_admin());
        assert!(Role::Auditor.may_read_admin() && !Role::Auditor.may_write_admin());
        assert!(Role::Admin.may_read_admin() && Role::Admin.may_write_admin());
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), r);
        }
    }
}
