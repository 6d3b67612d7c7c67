# Sidene i tillitssenteret (norsk bokmål).

trust-title = Tillitssenter
nav-label = Tillitssenter
nav-controls = Kontroller
nav-status = Status
nav-json = JSON
nav-oscal = OSCAL
nav-languages = Språk
footer = NIST Cybersecurity Framework 2.0. Hver status er beregnet ut fra løpende kontroller av denne serveren eller fra en datert attestasjon.
unavailable = Tillitssenteret kan ikke lese registrene sine akkurat nå.

summary-heading = Sammendrag
summary-text = { $plural ->
    [one] { $implemented } av { $count } kontroll er implementert ({ $percent } %), hver med løpende kontroller bak seg.
   *[other] { $implemented } av { $count } kontroller er implementert ({ $percent } %), hver med løpende kontroller bak seg.
}
summary-planned = «Planlagt» betyr at det ennå ikke finnes noen kontroll eller attestasjon for tiltaket.
col-function = Funksjon
col-implemented = Implementert
col-controls = Kontroller
col-percent = %
col-control = Kontroll
col-status = Status
col-statement = Beskrivelse
col-checks = Automatiske kontroller
csf11-label = CSF 1.1:

status-implemented = implementert
status-partial = delvis
status-failing = feiler
status-attested = attestert
status-expired = utløpt
status-not-applicable = ikke relevant
status-planned = planlagt

verdict-pass = bestått
verdict-fail = ikke bestått
verdict-not-checked = ikke kontrollert

check-storage-encrypted-at-rest = Hver database, spool- og køfil i datakatalogen er kryptert; ingen kan åpnes uten sin nøkkel
check-transit-credentials-only-after-tls = Ingen tjeneste tar imot påloggingsopplysninger før TLS
check-transit-tls-versions-and-certificate = TLS-tjenestene bruker bare TLS 1.2 eller 1.3, med et sertifikat som er gyldig i mer enn 14 dager
check-identity-password-kdf = Passord låser opp nøkler via Argon2id på eller over OWASPs minimum, for hver konto
check-identity-mfa-coverage = En andre faktor er tilgjengelig, og alle administrator- og revisorkontoer bruker den
check-logging-audit-chain = Den administrative revisjonsloggen finnes, og hash-kjeden dens er gyldig
check-backup-restore-drill = Sikkerhetskopiene er ferske og krypterte, og den nyeste har bestått en gjenopprettingsøvelse
check-inventory-software = Programvareoversikten (hver avhengighet som er kompilert inn i denne binærfilen) er kjent
check-inventory-vulnerabilities = Programvareoversikten sjekkes mot en database med sikkerhetsvarsler
check-email-authentication = SPF-, DMARC- og MTA-STS-postene som er publisert for hvert lokale domene, stemmer med det serveren forventer
check-supply-chain-subprocessors = Hver underdatabehandler er oppgitt med formål og sted

stale = utdatert
control-title = Kontroll { $id }
unknown-control-title = Ukjent kontroll
unknown-control = Det finnes ingen CSF 2.0-underkategori { $id }.
all-controls = Alle kontroller
na-heading = Ikke relevant
attestation-heading = Attestasjon
attestation-by = { $owner }, { $date } (utløper { $expires }).
attestation-document = Dokument
checks-heading = Automatiske kontroller
no-checks = Ingen automatisk kontroll dekker dette tiltaket ennå.
last-run = Sist kjørt: { $time }
never-ran = aldri
evidence-heading = Bevis slik kontrollen registrerte det (på engelsk)

subprocessors-heading = Underdatabehandlere
subprocessors-intro = Tredjeparter som behandler data for denne serveren, slik det er oppgitt i konfigurasjonen.
subprocessors-none = Denne serveren oppgir ingen underdatabehandlere: ingen andre behandler dataene.
col-name = Navn
col-purpose = Formål
col-location = Sted
