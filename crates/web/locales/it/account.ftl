# Accesso e /account (italiano).

## Accesso
account-sign-in-title = Accedi
account-address = Indirizzo email
account-password = Password
account-sign-in = Accedi
account-fill-both = Inserisci il tuo indirizzo e la password.
account-bad-credentials = Indirizzo o password errati.
account-too-many = Troppi tentativi falliti. Riprova più tardi.
account-locked-out = { $plural ->
    [one] Troppi tentativi falliti. Riprova tra { $count } secondo.
   *[other] Troppi tentativi falliti. Riprova tra { $count } secondi.
}
account-second-factor-title = Secondo fattore
account-second-factor-intro = Inserisci il codice a 6 cifre dell'app di autenticazione oppure uno dei tuoi codici di recupero.
account-code = Codice
account-verify = Verifica
account-bad-code = Il codice è errato, scaduto o già usato.
account-forbidden-title = Accesso negato
account-csrf-refused = Questo modulo non proviene da questo sito o è scaduto. Ricarica la pagina e riprova.
account-unavailable-title = Temporaneamente non disponibile
account-unavailable = Il server non può eseguire l'operazione in questo momento. Riprova tra poco.
account-back = Torna al tuo account
account-not-found = L'elemento richiesto non esiste.

## /account
account-nav = Il tuo account
account-title = Il tuo account
account-signed-in-as = Accesso effettuato come
account-admin-link = Amministrazione
account-sign-out = Esci

account-password-title = Password
account-password-note = La password sblocca la tua casella cifrata. Cambiarla ricifra solo la chiave della casella: nessun messaggio viene ricifrato. Le altre sessioni web vengono chiuse.
account-current-password = Password attuale
account-new-password = Nuova password (almeno 8 caratteri)
account-confirm-password = Ripeti la nuova password
account-change-password = Cambia password
account-passwords-differ = Le due nuove password non coincidono.
account-password-changed = La password è stata cambiata. Usa quella nuova nei programmi di posta che non usano una password per app.
account-wrong-current-password = La password attuale è errata.

account-mfa-title = Verifica in due passaggi
account-mfa-on = La verifica in due passaggi è attiva (app di autenticazione).
account-mfa-off = La verifica in due passaggi non è attiva. Attivala per proteggere questa pagina con un codice dell'app di autenticazione.
account-mfa-off-passkeys = I codici dell'app di autenticazione non sono attivi; il secondo passaggio sono le tue passkey. Puoi attivare anche i codici, come seconda via d'accesso.
account-mfa-enable = Attiva la verifica in due passaggi
account-mfa-disable = Disattiva la verifica in due passaggi
account-mfa-enrol-intro = Aggiungi questa chiave alla tua app di autenticazione (digita il segreto oppure apri il link otpauth sul telefono), poi inserisci il codice che mostra.
account-mfa-qr = Codice QR della chiave di autenticazione
account-mfa-secret = Segreto:
account-mfa-uri = Link:
account-mfa-confirm = Conferma e attiva
account-mfa-enabled = La verifica in due passaggi è attiva.
account-mfa-disabled = La verifica in due passaggi è disattivata.
account-mfa-already-on = La verifica in due passaggi è già attiva. Disattivala prima di registrare una nuova app.
account-recovery-note = Questi codici di recupero vengono mostrati solo ora. Ognuno ti permette di accedere una volta se perdi il telefono. Conservali in un luogo sicuro.
account-recovery-left = { $plural ->
    [one] Resta { $count } codice di recupero.
   *[other] Restano { $count } codici di recupero.
}

account-apps-title = Password per app
account-apps-note = I programmi di posta (IMAP, POP3, SMTP) accedono con una password per app, valida solo per i protocolli che scegli e revocabile singolarmente.
account-label = Etichetta
account-scopes = Protocolli
account-created = Creata
account-revoke = Revoca
account-apps-create = Crea password per app
account-apps-created = Nuova password per app
account-apps-revoked = La password per app è stata revocata: i programmi di posta che la usano non possono più accedere.
account-shown-once = Viene mostrata solo ora: copiala nel tuo programma di posta.

account-sessions-title = Sessioni web
account-client = Client
account-started = Inizio
account-this-session = questa
account-session-revoked = La sessione è stata chiusa.

## Indirizzo di recupero e sua verifica via email
account-recovery-title = Indirizzo di recupero
account-recovery-intro = Un indirizzo esterno a questo server a cui contattarti se perdi l'accesso all'account. Vale solo dopo che lo hai confermato con il link che vi inviamo.
account-recovery-none = Nessun indirizzo di recupero impostato.
account-recovery-pending = { $address } è in attesa di conferma: apri il link che vi abbiamo inviato (valido 24 ore).
account-recovery-verified = { $address } è confermato.
account-recovery-field = Indirizzo di recupero
account-recovery-save = Salva e invia il link di conferma
account-recovery-sent = Abbiamo inviato un link di conferma a { $address }. Funziona una sola volta, per 24 ore. Finché non lo apri, l'indirizzo non è confermato.
account-recovery-bad-address = Questo non è un indirizzo email utilizzabile.
account-recovery-own-address = Scegli un indirizzo diverso da quello di questo account.
account-recovery-rate-limited = Troppi messaggi di conferma nell'ultima ora. Riprova più tardi.
account-recovery-confirm-title = Conferma l'indirizzo di recupero
account-recovery-confirm-intro = Conferma che { $address } è l'indirizzo di recupero di questo account.
account-recovery-confirm = Conferma
account-recovery-confirmed = Il tuo indirizzo di recupero { $address } è confermato.
account-recovery-token-invalid = Questo link di conferma non è valido: è già stato usato, è stato sostituito da uno più recente o è stato copiato in modo incompleto. Imposta di nuovo l'indirizzo per ricevere un nuovo link.
account-recovery-token-expired = Questo link di conferma è scaduto. Imposta di nuovo l'indirizzo per ricevere un nuovo link.
account-recovery-mail-subject = Conferma il tuo indirizzo di recupero
account-recovery-mail-intro = Qualcuno ha effettuato l'accesso come { $account } su { $host } e ha indicato questo indirizzo come indirizzo di recupero dell'account.
account-recovery-mail-action = Per confermarlo, apri questo link entro 24 ore dopo aver effettuato l'accesso a quell'account:
account-recovery-mail-ignore = Se non sei stato tu, ignora questo messaggio: l'indirizzo non verrà usato e nessuno può accedere con questo link.

## Sessioni dei programmi di posta; con la verifica in due passaggi servono le password per app; sessione bloccata dopo un riavvio
account-mail-sessions-title = Sessioni dei programmi di posta
account-mail-sessions-note = Programmi di posta collegati ora via IMAP, POP3 o SMTP. Chiudere una sessione disconnette subito quel programma; per tenerlo fuori, revoca anche la sua password per app o cambia la password.
account-mail-sessions-none = Nessun programma di posta è collegato.
account-protocol = Protocollo
account-client-address = Indirizzo
account-client-app = Programma
account-last-activity = Ultima attività
account-end-session = Chiudi sessione
account-mail-session-ended = La sessione è stata chiusa e il programma è stato disconnesso.
account-mail-session-ending = La sessione sta per essere chiusa: il programma verrà disconnesso tra un attimo.
account-mfa-mail-apps-note = Con la verifica in due passaggi attiva, i programmi di posta (IMAP, POP3, SMTP) non accettano più la password dell'account, perché non possono chiedere un codice. Crea qui sotto una password per app per ciascun programma e usa quella.
account-locked-title = Casella bloccata
account-locked-note = Il server è stato riavviato dopo il tuo accesso. Sei ancora collegato, ma la chiave della tua casella non è più in memoria: inserisci la password per sbloccarla in questa sessione. Impostazioni e sessioni funzionano anche senza; per creare password per app ed esportare la posta serve.
account-unlock = Sblocca
account-unlocked = La tua casella è sbloccata per questa sessione.

## Esportazione della posta ed eliminazione dell'account
account-data-title = I tuoi dati
account-export-title = Esporta la tua posta
account-export-link = Scarica tutta la tua posta (mbox)
account-export-note = Scarica tutti i messaggi di tutte le cartelle in un unico file mbox (il formato mboxrd che Thunderbird, mutt e la maggior parte dei programmi di posta sanno importare). La posta viene decifrata solo nella memoria del server mentre ti viene inviata; nessuna copia in chiaro viene scritta su disco. Il file non è cifrato: conservalo in un luogo sicuro.
account-export-submit = Scarica mbox
account-delete-title = Elimina il tuo account
account-delete-link = Elimina il tuo account
account-delete-what = L'eliminazione distrugge l'account in modo crittografico. Prima vengono distrutte le chiavi che decifrano la tua casella: password, codice di recupero, password per app e verifica in due passaggi. Poi vengono cancellati il file della casella e la posta in attesa, e vieni disconnesso ovunque.
account-delete-irrecoverable = L'operazione è irreversibile: senza le chiavi i dati cifrati su questo server sono illeggibili, per te come per gli amministratori. I backup del server fatti prima dell'eliminazione contengono ancora la casella cifrata e le sue chiavi, protette dalla tua vecchia password, finché la politica di conservazione dei backup non li rimuove.
account-delete-audit-note = Il registro di sicurezza conserva traccia dell'eliminazione dell'account e della sua data.
account-delete-export-first = Vuoi conservare la posta? Esportala prima.
account-delete-confirm-label = Scrivi il tuo indirizzo email per confermare
account-delete-totp-label = Codice dell'app di autenticazione
account-delete-submit = Elimina definitivamente il mio account
account-delete-wrong-confirmation = L'indirizzo scritto non corrisponde a questo account. Non è stato eliminato nulla.
account-delete-wrong-password = La password attuale è errata. Non è stato eliminato nulla.
account-delete-wrong-code = Il codice è errato, scaduto o già usato. Non è stato eliminato nulla.
account-delete-last-admin = Sei l'unico amministratore di questo server, quindi questo account non può essere eliminato. Nomina prima amministratore un altro account.
account-deleted-title = Account eliminato
account-deleted = Il tuo account è stato eliminato: prima sono state distrutte le chiavi, poi la posta. Sei stato disconnesso.

## Passkey (WebAuthn) come secondo passaggio dell'accesso
account-passkeys-title = Passkey
account-passkeys-note = Una passkey (custodita da questo dispositivo, dal telefono o da una chiave di sicurezza) può essere il secondo passaggio dell'accesso, al posto di un codice. La password va comunque inserita per prima: è lei che sblocca la casella. Tieni una seconda via d'accesso, come una seconda passkey o un'app di autenticazione con i codici di recupero.
account-passkeys-none = Nessuna passkey registrata.
account-passkeys-unavailable = Le passkey non sono disponibili su questo server: il suo nome host non è un nome di dominio.
account-passkeys-need-js = Le passkey richiedono JavaScript, che in questo browser è disattivato o bloccato. Tutto il resto funziona anche senza.
account-passkey-name = Nome della nuova passkey
account-passkey-add = Aggiungi una passkey
account-passkey-remove = Rimuovi
account-passkey-last-used = Ultimo uso
account-passkey-name-invalid = Dai alla passkey un nome da 1 a 64 caratteri.
account-passkey-start-again = Questa richiesta di passkey è scaduta o ha già avuto risposta. Riprova.
account-passkey-failed = Non è stato possibile verificare la passkey. Non è stato cambiato nulla.
account-passkey-exists = Questa passkey è già registrata.
account-passkey-counter = Questa passkey è stata rifiutata: ha indicato un numero di utilizzi inferiore a uno già visto, quindi potrebbe essere stata copiata (un autenticatore clonato). Se non te lo aspettavi, rimuovila e registrane una nuova.
account-passkey-session = La sessione è scaduta. Accedi di nuovo.
account-passkey-working = In attesa della passkey…
account-passkey-cancelled = La richiesta di passkey è stata annullata, è scaduta o questo browser non la supporta.
account-passkey-intro = Conferma che sei tu con la tua passkey.
account-passkey-sign-in = Usa una passkey
account-passkey-or-code = Oppure inserisci un codice dell'app di autenticazione o un codice di recupero:
account-recovery-code-title = Codice di recupero
account-recovery-code-note = Con il codice di recupero si può impostare una nuova password senza perdere la posta (un amministratore esegue il ripristino con il codice). Chi ha creato il tuo account ha visto il primo codice: creane uno nuovo e conservalo in un luogo sicuro, lontano da questo computer. Il vecchio codice smette subito di funzionare.
account-recovery-code-make = Crea un nuovo codice di recupero
account-recovery-code-new = Il tuo nuovo codice di recupero, mostrato solo ora. Quello vecchio non funziona più.
