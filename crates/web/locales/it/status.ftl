# Pagina di stato e feed Atom (italiano).

status-title = Stato del sistema
status-overall-ok = Tutti i componenti sono operativi.
status-overall-degraded = Alcuni componenti non funzionano.
status-overall-unknown = Nessuna sonda è stata ancora eseguita.
status-overall-incident = È in corso un incidente: vedi sotto.
status-checked-at = Ultima sonda: { $time }
components-heading = Componenti
col-component = Componente
col-health = Salute
col-uptime = Disponibilità (90 giorni)
health-up = operativo
health-down = non disponibile
health-unknown = nessun dato
health-not-configured = non configurato

component-smtp = Posta in arrivo (SMTP)
component-submission = Invio della posta
component-imap = IMAP
component-pop3 = POP3
component-web = Web (HTTPS)
component-queue = Coda in uscita
component-storage = Archiviazione
component-tsa = Autorità di marcatura temporale

uptime-summary = Disponibilità del { $percent } % nei giorni con sonde ({ $days } degli ultimi 90)
uptime-no-data = Nessuna sonda ancora registrata.
uptime-day = { $date }: { $percent } % ({ $up } sonde riuscite su { $total })
uptime-day-none = { $date }: nessun dato
bars-label = Disponibilità giornaliera di { $component }, dal giorno più vecchio

incidents-heading = Incidenti
incidents-none = Nessun incidente segnalato.
incident-opened = Aperto il { $time }
incident-resolved-at = Risolto il { $time }
incident-affects = Componenti coinvolti:
incident-timeline = Cronologia
incident-open-on = Incidente aperto: { $title }
severity-minor = lieve
severity-major = grave
severity-critical = critico
severity-maintenance = manutenzione
incident-state-investigating = in analisi
incident-state-identified = causa individuata
incident-state-monitoring = in osservazione
incident-state-resolved = risolto

feed-link = Segui gli incidenti e i loro aggiornamenti (feed Atom)
feed-title = Stato di { $host }
feed-entry-title = { $title }: { $state }
feed-author = Sigillo su { $host }
