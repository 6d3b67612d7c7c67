# Statusside og Atom-strøm (norsk bokmål).

status-title = Driftsstatus
status-overall-ok = Alle komponenter er i drift.
status-overall-degraded = Noen komponenter fungerer ikke.
status-overall-unknown = Ingen måling er kjørt ennå.
status-overall-incident = En hendelse pågår: se nedenfor.
status-checked-at = Siste måling: { $time }
components-heading = Komponenter
col-component = Komponent
col-health = Tilstand
col-uptime = Oppetid (90 dager)
health-up = i drift
health-down = nede
health-unknown = ingen data
health-not-configured = ikke konfigurert

component-smtp = Innkommende e-post (SMTP)
component-submission = Innsending av e-post
component-imap = IMAP
component-pop3 = POP3
component-web = Nett (HTTPS)
component-queue = Utgående kø
component-storage = Lagring
component-tsa = Tidsstemplingstjeneste

uptime-summary = { $percent } % oppetid de dagene det finnes målinger ({ $days } av de siste 90)
uptime-no-data = Ingen målinger registrert ennå.
uptime-day = { $date }: { $percent } % ({ $up } av { $total } målinger vellykket)
uptime-day-none = { $date }: ingen data
bars-label = Daglig oppetid for { $component }, eldste dag først

incidents-heading = Hendelser
incidents-none = Ingen hendelser er rapportert.
incident-opened = Åpnet { $time }
incident-resolved-at = Løst { $time }
incident-affects = Berørte komponenter:
incident-timeline = Tidslinje
incident-open-on = Åpen hendelse: { $title }
severity-minor = mindre
severity-major = alvorlig
severity-critical = kritisk
severity-maintenance = vedlikehold
incident-state-investigating = undersøkes
incident-state-identified = årsak funnet
incident-state-monitoring = overvåkes
incident-state-resolved = løst

feed-link = Følg hendelser og oppdateringer (Atom-strøm)
feed-title = Status for { $host }
feed-entry-title = { $title }: { $state }
feed-author = Sigillo på { $host }
