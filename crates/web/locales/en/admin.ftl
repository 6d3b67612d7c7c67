# The admin console (English). Each id is a constant in crates/web/src/admin/text.rs;
# adding a string = one constant there + one entry in each of en, it, ar, nb/admin.ftl.

admin-title = Administration
admin-audit-title = Audit log
admin-forbidden = Your role does not allow this.
admin-note = Administrators manage domains, accounts and quotas. No one here can read mail: each mailbox opens only with its owner's keys.
admin-domains = Domains
admin-domain = Domain
admin-accounts = Accounts
admin-account = Account
admin-role = Role
admin-quota = Quota (bytes, 0 for none)
admin-certified = Certified mail
admin-yes = yes
admin-no = no
admin-create-title = Create an account
admin-address = Address
admin-initial-password = Initial password
admin-create = Create account
admin-created = Account created. Give its owner this recovery code, shown only now; it is the only way to reset the password without losing mail:
admin-quota-title = Set a quota
admin-set-quota = Set quota
admin-quota-set = Quota set.
admin-bad-quota = The quota must be a whole number of bytes.
admin-reauth-title = Confirm it is you
admin-reauth-note = Administrative changes need a code from your authenticator app entered within the last 5 minutes.
admin-code = Code
admin-confirm = Confirm
admin-bad-code = That code is wrong, expired or already used.
admin-view-audit = Audit log
admin-filter = Filter
admin-actor = Actor
admin-action = Action (or prefix, e.g. auth)
admin-action-column = Action
admin-target = Target
admin-limit = Entries
admin-time = Time
admin-client = Client
admin-details = Details
admin-chain-ok = The hash chain verifies:
admin-chain-broken = The hash chain is BROKEN:
admin-entries = { $plural ->
    [one] { $count } entry
   *[other] { $count } entries
}
admin-back = Back to administration
admin-failed = That did not work:
