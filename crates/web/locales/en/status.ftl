# Status page and its Atom feed (English).

status-title = System status
status-overall-ok = All components are operational.
status-overall-degraded = Some components are not working.
status-overall-unknown = No probe has run yet.
status-overall-incident = An incident is in progress: see below.
status-checked-at = Last probe: { $time }
components-heading = Components
col-component = Component
col-health = Health
col-uptime = Uptime (90 days)
health-up = operational
health-down = down
health-unknown = no data
health-not-configured = not configured

component-smtp = Inbound mail (SMTP)
component-submission = Mail submission
component-imap = IMAP
component-pop3 = POP3
component-web = Web (HTTPS)
component-queue = Outbound queue
component-storage = Storage
component-tsa = Time-stamping authority

uptime-summary = { $percent } % uptime on the days with probes ({ $days } of the last 90)
uptime-no-data = No probes recorded yet.
uptime-day = { $date }: { $percent } % ({ $up } of { $total } probes)
uptime-day-none = { $date }: no data
bars-label = Daily uptime of { $component }, oldest day first

incidents-heading = Incidents
incidents-none = No incidents reported.
incident-opened = Opened { $time }
incident-resolved-at = Resolved { $time }
incident-affects = Affects:
incident-timeline = Timeline
incident-open-on = Open incident: { $title }
severity-minor = minor
severity-major = major
severity-critical = critical
severity-maintenance = maintenance
incident-state-investigating = investigating
incident-state-identified = identified
incident-state-monitoring = monitoring
incident-state-resolved = resolved

feed-link = Follow incidents and their updates (Atom feed)
feed-title = Status of { $host }
feed-entry-title = { $title }: { $state }
feed-author = Sigillo on { $host }
