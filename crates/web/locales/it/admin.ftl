# La console di amministrazione (italiano).

admin-title = Amministrazione
admin-audit-title = Registro di audit
admin-forbidden = Il tuo ruolo non consente questa operazione.
admin-note = Gli amministratori gestiscono domini, account e quote. Nessuno qui può leggere la posta: ogni casella si apre solo con le chiavi del suo titolare.
admin-domains = Domini
admin-domain = Dominio
admin-accounts = Account
admin-account = Account
admin-role = Ruolo
admin-quota = Quota (byte, 0 per nessun limite)
admin-certified = Posta certificata
admin-yes = sì
admin-no = no
admin-create-title = Crea un account
admin-address = Indirizzo
admin-initial-password = Password iniziale
admin-create = Crea account
admin-created = Account creato. Consegna al titolare questo codice di recupero, mostrato solo ora: è l'unico modo per reimpostare la password senza perdere la posta:
admin-quota-title = Imposta una quota
admin-set-quota = Imposta quota
admin-quota-set = Quota impostata.
admin-bad-quota = La quota deve essere un numero intero di byte.
admin-reauth-title = Conferma la tua identità
admin-reauth-note = Le modifiche amministrative richiedono un codice dell'app di autenticazione inserito negli ultimi 5 minuti.
admin-code = Codice
admin-confirm = Conferma
admin-bad-code = Il codice è errato, scaduto o già usato.
admin-view-audit = Registro di audit
admin-filter = Filtra
admin-actor = Autore
admin-action = Azione (o prefisso, es. auth)
admin-action-column = Azione
admin-target = Oggetto
admin-limit = Voci
admin-time = Ora
admin-client = Client
admin-details = Dettagli
admin-chain-ok = La catena di hash è integra:
admin-chain-broken = La catena di hash è COMPROMESSA:
admin-entries = { $plural ->
    [one] { $count } voce
   *[other] { $count } voci
}
admin-back = Torna all'amministrazione
admin-failed = Operazione non riuscita:
