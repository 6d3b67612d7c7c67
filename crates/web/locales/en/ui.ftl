# Trust center pages (English). Keys are shared by every locale; the tests fail when a
# locale lacks one. `$plural` is the CLDR plural category computed by the server.

trust-title = Trust center
nav-label = Trust center
nav-controls = Controls
nav-status = Status
nav-json = JSON
nav-oscal = OSCAL
nav-languages = Language
footer = NIST Cybersecurity Framework 2.0. Every status is computed from live checks of this server or from a dated attestation.
unavailable = The trust center cannot read its records right now.

summary-heading = Summary
summary-text = { $plural ->
    [one] { $implemented } of { $count } control implemented ({ $percent } %), each backed by live checks.
   *[other] { $implemented } of { $count } controls implemented ({ $percent } %), each backed by live checks.
}
summary-planned = “Planned” means that no check and no attestation exists for the control yet.
col-function = Function
col-implemented = Implemented
col-controls = Controls
col-percent = %
col-control = Control
col-status = Status
col-statement = Statement
col-checks = Checks
csf11-label = CSF 1.1:

status-implemented = implemented
status-partial = partial
status-failing = failing
status-attested = attested
status-expired = expired
status-not-applicable = not applicable
status-planned = planned

verdict-pass = pass
verdict-fail = fail
verdict-not-checked = not checked

check-storage-encrypted-at-rest = Every database, spool and queue file in the data directory is encrypted; none opens without its key
check-transit-credentials-only-after-tls = No listener accepts credentials before TLS
check-transit-tls-versions-and-certificate = TLS listeners speak TLS 1.2 or 1.3 only, with a certificate valid for more than 14 days
check-identity-password-kdf = Passwords unlock keys through Argon2id at or above OWASP’s minimum, for every account
check-identity-mfa-coverage = A second factor is available, and every admin and auditor account uses it
check-logging-audit-chain = The administrative audit log is present and its hash chain verifies
check-backup-restore-drill = Backups are recent, encrypted, and the newest passed a restore drill
check-inventory-software = The software inventory (every dependency compiled into this binary) is known
check-inventory-vulnerabilities = The software inventory is scanned against an advisory database
check-email-authentication = The SPF, DMARC and MTA-STS records published for each local domain match what the server expects
check-supply-chain-subprocessors = Every subprocessor is declared with its purpose and location

stale = stale
control-title = Control { $id }
unknown-control-title = Unknown control
unknown-control = There is no CSF 2.0 subcategory { $id }.
all-controls = All controls
na-heading = Not applicable
attestation-heading = Attestation
attestation-by = { $owner }, { $date } (expires { $expires }).
attestation-document = Document
checks-heading = Checks
no-checks = No automated check covers this control yet.
last-run = Last run: { $time }
never-ran = never
evidence-heading = Evidence as recorded by the check (in English)

subprocessors-heading = Subprocessors
subprocessors-intro = Third parties that process data for this server, as declared in its configuration.
subprocessors-none = This server declares no subprocessors: nobody else processes its data.
col-name = Name
col-purpose = Purpose
col-location = Location
