# Pagine del centro di fiducia (italiano).

trust-title = Centro di fiducia
nav-label = Centro di fiducia
nav-controls = Controlli
nav-status = Stato
nav-json = JSON
nav-oscal = OSCAL
nav-languages = Lingua
footer = NIST Cybersecurity Framework 2.0. Ogni stato è calcolato da verifiche in tempo reale di questo server o da un’attestazione datata.
unavailable = Il centro di fiducia non riesce a leggere i propri registri in questo momento.

summary-heading = Riepilogo
summary-text = { $plural ->
    [one] { $implemented } controllo implementato su { $count } ({ $percent } %), ciascuno sostenuto da verifiche in tempo reale.
    [many] { $implemented } controlli implementati su { $count } ({ $percent } %), ciascuno sostenuto da verifiche in tempo reale.
   *[other] { $implemented } controlli implementati su { $count } ({ $percent } %), ciascuno sostenuto da verifiche in tempo reale.
}
summary-planned = «Pianificato» significa che per il controllo non esistono ancora né verifiche né attestazioni.
col-function = Funzione
col-implemented = Implementati
col-controls = Controlli
col-percent = %
col-control = Controllo
col-status = Stato
col-statement = Enunciato
col-checks = Verifiche
csf11-label = CSF 1.1:

status-implemented = implementato
status-partial = parziale
status-failing = non superato
status-attested = attestato
status-expired = scaduto
status-not-applicable = non applicabile
status-planned = pianificato

verdict-pass = superata
verdict-fail = fallita
verdict-not-checked = non verificata

check-storage-encrypted-at-rest = Ogni database, spool e file di coda nella directory dei dati è cifrato; nessuno si apre senza la sua chiave
check-transit-credentials-only-after-tls = Nessun servizio in ascolto accetta credenziali prima di TLS
check-transit-tls-versions-and-certificate = I servizi TLS parlano solo TLS 1.2 o 1.3, con un certificato valido per più di 14 giorni
check-identity-password-kdf = Le password sbloccano le chiavi tramite Argon2id, almeno al minimo raccomandato da OWASP, per ogni account
check-identity-mfa-coverage = Un secondo fattore è disponibile e ogni account di amministratore e di revisore lo usa
check-logging-audit-chain = Il registro di audit amministrativo è presente e la sua catena di hash è verificata
check-backup-restore-drill = I backup sono recenti e cifrati, e il più recente ha superato una prova di ripristino
check-inventory-software = L’inventario del software (ogni dipendenza compilata in questo eseguibile) è noto
check-inventory-vulnerabilities = L’inventario del software è confrontato con un database di avvisi di sicurezza
check-email-authentication = I record SPF, DMARC e MTA-STS pubblicati per ogni dominio locale corrispondono a quanto il server si aspetta
check-supply-chain-subprocessors = Ogni sub-responsabile del trattamento è dichiarato con la sua finalità e la sua ubicazione

stale = non aggiornata
control-title = Controllo { $id }
unknown-control-title = Controllo sconosciuto
unknown-control = Non esiste alcuna sottocategoria CSF 2.0 { $id }.
all-controls = Tutti i controlli
na-heading = Non applicabile
attestation-heading = Attestazione
attestation-by = { $owner }, { $date } (scade il { $expires }).
attestation-document = Documento
checks-heading = Verifiche
no-checks = Nessuna verifica automatica copre ancora questo controllo.
last-run = Ultima esecuzione: { $time }
never-ran = mai
evidence-heading = Evidenza così come registrata dalla verifica (in inglese)

subprocessors-heading = Sub-responsabili del trattamento
subprocessors-intro = Terze parti che trattano dati per conto di questo server, come dichiarato nella sua configurazione.
subprocessors-none = Questo server non dichiara sub-responsabili: nessun altro tratta i suoi dati.
col-name = Nome
col-purpose = Finalità
col-location = Ubicazione
